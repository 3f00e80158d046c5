/**
 * DNS rebinding, decided from the address the server is bound to: every spelling of loopback that
 * HOST can take (127.1, 0::1, ::0:1, ::ffff:7f00:1…) turns the Host check on. The pure rules, then
 * the real server (server/main.ts) started with such spellings and asked with a foreign Host.
 */
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostPolicy, ipAddress, isLoopbackAddress, isLoopbackName } from '../../server/host-check.js';
import { startBackend } from './backend-process.js';
import { freshDatabaseEnv } from './harness.js';

const LOOPBACK_SPELLINGS = [
  '127.0.0.1',
  '127.1',
  '127.0.0.2',
  '2130706433',
  '0x7f.1',
  'localhost',
  '::1',
  '[::1]',
  '0::1',
  '::0:1',
  '0:0:0:0:0:0:0:1',
  '::ffff:7f00:1',
  '::ffff:127.0.0.1',
];
const EXPOSED = ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', '::ffff:a00:1', '::7f00:1', 'serval.example.com'];

describe('which addresses are loopback', () => {
  it('127.0.0.0/8, ::1 and IPv4-mapped loopback, in any spelling; nothing else', () => {
    for (const a of ['127.0.0.1', '127.255.255.254', '127.1', '::1', '0::1', '::0:1', '::ffff:7f00:1', '::ffff:127.0.0.1', '[::1]:8787', '127.0.0.1:80']) {
      expect(isLoopbackAddress(a), a).toBe(true);
    }
    for (const a of [
      '128.0.0.1',
      '126.255.255.255',
      '0.0.0.0',
      '::',
      '::2',
      '::ffff:a00:1',
      'localhost',
      '127.0.0.1.evil.example',
      'evil.example@127.0.0.1',
      '',
    ]) {
      expect(isLoopbackAddress(a), a).toBe(false);
    }
    expect(ipAddress('127.1')).toBe('127.0.0.1');
    expect(ipAddress('0::1')).toBe('::1');
    expect(ipAddress('[::ffff:127.0.0.1]:8787')).toBe('::ffff:7f00:1');
    expect(ipAddress('serval.example.com')).toBeNull();
    expect(isLoopbackName('LOCALHOST:8787')).toBe(true);
    expect(isLoopbackName('localhost:8787.evil.example')).toBe(false);
  });
});

describe('the Host check of a server', () => {
  it('every loopback spelling of HOST answers only loopback host names (421 for attacker.example)', () => {
    for (const bind of LOOPBACK_SPELLINGS) {
      const hosts = hostPolicy(bind);
      expect(hosts.allows('attacker.example'), bind).toBe(false);
      expect(hosts.allows('attacker.example:8787'), bind).toBe(false);
      for (const ok of ['127.0.0.1:8787', 'localhost:8787', '[::1]:8787', 'LOCALHOST']) expect(hosts.allows(ok), `${bind} ${ok}`).toBe(true);
    }
  });

  it('a server bound elsewhere answers any host', () => {
    for (const bind of EXPOSED) expect(hostPolicy(bind).allows('attacker.example'), bind).toBe(true);
  });

  it('once listening, the bound address decides, whatever HOST said', () => {
    const named = hostPolicy('serval-box'); // a name that resolves to 127.0.1.1, as Debian's /etc/hosts has it
    expect(named.allows('attacker.example')).toBe(true);
    named.boundTo('127.0.1.1');
    expect(named.allows('attacker.example')).toBe(false);
    expect(named.allows('127.0.0.1:8787')).toBe(true);
    for (const bound of ['::1', '::ffff:127.0.0.1', '127.0.0.1']) {
      const hosts = hostPolicy('0.0.0.0');
      hosts.boundTo(bound);
      expect(hosts.allows('attacker.example'), bound).toBe(false);
    }
    const exposed = hostPolicy('serval.example.com');
    exposed.boundTo('10.0.0.5');
    expect(exposed.allows('attacker.example')).toBe(true);
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A request with any Host header (fetch won't send one of our choosing). */
function request(url: string, requestPath: string, host: string, body?: unknown): Promise<{ status: number; body: any }> {
  const target = new URL(url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port,
        path: requestPath,
        method: payload === undefined ? 'GET' : 'POST',
        headers: { Host: host, ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('the real server, HOST spelled otherwise', () => {
  it.each([['127.1'], ['0::1'], ['::ffff:7f00:1']])(
    'HOST=%s binds to loopback and answers Host: attacker.example with 421, changing nothing',
    async (bind) => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-rebind-'));
      dirs.push(dataDir);
      const backend = await startBackend({ SERVAL_DATA_DIR: dataDir, HOST: bind, ...(await freshDatabaseEnv('rebind')) });
      try {
        const pair = { code: backend.pairingCode, deviceName: 'rebinding page' };
        const refused = await request(backend.url, '/api/pair', 'attacker.example', pair);
        expect(refused.status).toBe(421);
        expect(refused.body.error.code).toBe('host_not_allowed');
        expect((await request(backend.url, '/api/health', 'attacker.example:8787')).status).toBe(421);
        // Nothing was spent: the same code pairs with a loopback Host, and the server is still up.
        const own = new URL(backend.url).host;
        expect((await request(backend.url, '/api/pair', own, pair)).status).toBe(201);
        expect((await request(backend.url, '/api/health', own)).status).toBe(200);
      } finally {
        expect(await backend.stop()).toBe(0);
      }
    },
    30_000,
  );
});
