/**
 * A real HTTP receiver for alerts on loopback: it keeps every request (path, headers, body) and
 * answers as each path is told to — 204, a status a number of times, a hang, a closed connection,
 * a 10 MB body, a redirect. Tests wait on what it received, never on time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';
import type { ResolvedAddress } from '../../server/alerts/deliver.js';

export type Received = { path: string; headers: http.IncomingHttpHeaders; body: string; at: number };
export type Behaviour = 'ok' | 'hang' | 'close' | 'huge' | 'redirect' | { status: number; times?: number };

export async function startAlertReceiver() {
  const received: Received[] = [];
  const behaviours = new Map<string, Behaviour>();
  const answered = new Map<string, number>();
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const behaviour = behaviours.get(path) ?? 'ok';
      const count = (answered.get(path) ?? 0) + 1;
      answered.set(path, count);
      if (behaviour === 'hang') return void hanging.add(res);
      if (behaviour === 'close') return void req.socket.destroy();
      if (behaviour === 'redirect') return void res.writeHead(302, { Location: '/ok' }).end();
      if (behaviour === 'huge') {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        const mb = Buffer.alloc(1024 * 1024, 'x');
        let sent = 0;
        const more = () => {
          while (sent < 10 && res.write(mb)) sent++;
          if (sent >= 10) res.end();
          else res.once('drain', more);
        };
        res.on('error', () => {});
        return more();
      }
      if (behaviour === 'ok' || (behaviour.times !== undefined && count > behaviour.times)) return void res.writeHead(204).end();
      res.writeHead(behaviour.status, { 'Content-Type': 'text/plain' }).end(`failing on purpose (${count})`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    at: (path: string) => received.filter((r) => r.path === path),
    behave(path: string, behaviour: Behaviour) {
      behaviours.set(path, behaviour);
      answered.delete(path);
    },
    /** Waits until `path` has received at least `count` requests. */
    async waitFor(path: string, count = 1, timeout = 10_000): Promise<Received[]> {
      await vi.waitFor(
        () => {
          if (received.filter((r) => r.path === path).length < count) throw new Error(`${path}: waiting for ${count}`);
        },
        { timeout, interval: 10 },
      );
      return received.filter((r) => r.path === path);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The backend's resolver for alert endpoints, answering from `dns` (host → addresses) and
 * ENOTFOUND for any other name: no test ever asks a real DNS server, or reaches past loopback.
 */
export function stubResolver(dns: Map<string, string[]>): (host: string) => Promise<ResolvedAddress[]> {
  return async (host) => {
    const found = dns.get(host);
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}
