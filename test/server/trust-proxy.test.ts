/**
 * SERVAL_TRUST_PROXY: behind a reverse proxy, the pairing and sign-in brakes count each client
 * from X-Forwarded-For — read only through the proxies trusted; without the setting they count the
 * socket's address, and an X-Forwarded-For from anyone but a trusted proxy changes nothing. The
 * real app served by @hono/node-server on a loopback port, so every request has a real socket
 * (127.0.0.1: the "proxy").
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProxyTrust } from '../../server/auth/client-address.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { CLIENT_BRAKE } from '../../server/pairing/service.js';
import { dialect, startHarness, type Harness } from './harness.js';

type Served = { h: Harness; url: string; server: ServerType };
const served: Served[] = [];

async function serveBackend(trustProxy: string | undefined): Promise<Served> {
  const h = await startHarness({ env: trustProxy === undefined ? {} : { SERVAL_TRUST_PROXY: trustProxy } });
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve) => {
    const s = serve({ fetch: h.runtime.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve({ server: s, port: info.port }));
  });
  const backend = { h, url: `http://127.0.0.1:${port}`, server };
  served.push(backend);
  return backend;
}

afterAll(async () => {
  for (const { h, server } of served) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.close();
  }
});

/** A request as the proxy at 127.0.0.1 passes it on: the client it forwards for in X-Forwarded-For (if any). */
async function send(backend: Served, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${backend.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
const wrongCode = (backend: Served, forwardedFor?: string) =>
  send(backend, '/api/pair', { code: 'WRNG-CODE', deviceName: 'Guess' }, forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {});
const pairWith = async (backend: Served, forwardedFor: string) =>
  send(backend, '/api/pair', { code: (await backend.h.runtime.pairing.issueCode()).code, deviceName: 'Real' }, { 'X-Forwarded-For': forwardedFor });
const signInWith = async (backend: Served, forwardedFor: string) =>
  send(backend, '/api/session', { code: (await backend.h.runtime.pairing.issueCode()).code }, { 'X-Forwarded-For': forwardedFor });
const clientsCounted = async (backend: Served) =>
  [...new Set((await backend.h.sql<{ client: string }>('select client from pairing_failures')).map((r) => r.client))].sort();

/** Fails `n` times for the client, expecting each to be an ordinary 401 (not yet braked). */
async function failTimes(backend: Served, n: number, forwardedFor?: string) {
  for (let i = 0; i < n; i++) expect((await wrongCode(backend, forwardedFor)).status).toBe(401);
}

describe(`SERVAL_TRUST_PROXY (${dialect})`, () => {
  let trusted: Served;
  let hops: Served;
  let untrusted: Served;
  let unset: Served;
  beforeAll(async () => {
    trusted = await serveBackend('127.0.0.1');
    hops = await serveBackend('1');
    untrusted = await serveBackend('10.0.0.1');
    unset = await serveBackend(undefined);
  });

  it('set to the proxy’s address: two clients behind it get separate brakes, for pairing and for code sign-in', async () => {
    const [alice, bob] = ['203.0.113.10', '203.0.113.20'];
    await failTimes(trusted, CLIENT_BRAKE.maxFailures, alice);
    const braked = await pairWith(trusted, alice);
    expect(braked.status).toBe(429);
    expect(braked.body.error.code).toBe('pairing_rate_limited');
    expect((await signInWith(trusted, alice)).status).toBe(429);
    // Bob, behind the same proxy, is not Alice.
    expect((await pairWith(trusted, bob)).status).toBe(201);
    expect((await signInWith(trusted, bob)).status).toBe(201);
    expect(await clientsCounted(trusted)).toEqual([alice]);
  });

  it('set to a hop count: the address the trusted proxy appended counts, not what the client wrote before it', async () => {
    await failTimes(hops, 3, '198.51.100.7, 203.0.113.30'); // the client forged 198.51.100.7; the proxy appended its real address
    await failTimes(hops, 2, '203.0.113.31');
    expect(await clientsCounted(hops)).toEqual(['203.0.113.30', '203.0.113.31']);
  });

  it('unset: every client behind the proxy shares the socket’s one brake', async () => {
    await failTimes(unset, CLIENT_BRAKE.maxFailures / 2, '203.0.113.10');
    await failTimes(unset, CLIENT_BRAKE.maxFailures / 2, '203.0.113.20');
    for (const client of ['203.0.113.10', '203.0.113.20', '203.0.113.99']) {
      expect((await pairWith(unset, client)).status, client).toBe(429);
      expect((await signInWith(unset, client)).status, client).toBe(429);
    }
    expect(await clientsCounted(unset)).toEqual([expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/)]);
  });

  it('an X-Forwarded-For from a peer that is not a trusted proxy is ignored', async () => {
    for (const forged of ['203.0.113.50', '10.0.0.1', '198.51.100.1, 10.0.0.1', 'not-an-address']) await failTimes(untrusted, 1, forged);
    await failTimes(untrusted, 1);
    expect(await clientsCounted(untrusted)).toEqual([expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/)]);
  });

  it('X-Forwarded-Proto: https makes the session cookie __Host- and Secure only from a trusted proxy', async () => {
    const viaTrusted = await send(trusted, '/api/session', { code: (await trusted.h.runtime.pairing.issueCode()).code }, { 'X-Forwarded-Proto': 'https' });
    expect(viaTrusted.status).toBe(201);
    expect(viaTrusted.headers.get('set-cookie')).toMatch(/^__Host-serval_session=[^;]+;.*; Secure/);
    const forged = await send(untrusted, '/api/session', { code: (await untrusted.h.runtime.pairing.issueCode()).code }, { 'X-Forwarded-Proto': 'https' });
    expect(forged.status).toBe(201);
    expect(forged.headers.get('set-cookie')).toMatch(/^serval_session=/);
    expect(forged.headers.get('set-cookie')).not.toMatch(/Secure/i);
  });
});

describe('the setting itself', () => {
  it('a hop count trusts that many proxies nearest the server; a list trusts those addresses and ranges (IPv4-mapped too)', () => {
    const two = compileProxyTrust(2)!;
    expect([two('1.2.3.4', 0), two('1.2.3.4', 1), two('1.2.3.4', 2)]).toEqual([true, true, false]);
    const list = compileProxyTrust(['10.0.0.1', '192.168.0.0/16'])!;
    expect([list('10.0.0.1', 0), list('::ffff:10.0.0.1', 0), list('192.168.4.2', 3), list('10.0.0.2', 0)]).toEqual([true, true, true, false]);
    expect(compileProxyTrust(null)).toBeNull();
  });

  it('is read at start-up: a hop count or addresses; anything proxy-addr cannot read is a configuration error', () => {
    expect(loadConfig({ SERVAL_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ SERVAL_TRUST_PROXY: ' 10.0.0.1, fd00::/8 ' }).trustProxy).toEqual(['10.0.0.1', 'fd00::/8']);
    expect(loadConfig({}).trustProxy).toBeNull();
    for (const bad of ['10.0.0.999', '10.0.0.1/33', '::::', 'proxy.example', '0', '11']) {
      expect(() => loadConfig({ SERVAL_TRUST_PROXY: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ SERVAL_TRUST_PROXY: bad }), bad).toThrow(/SERVAL_TRUST_PROXY/);
    }
  });
});
