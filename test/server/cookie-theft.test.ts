/**
 * The hole issue 23 reproduced, closed: the console signs in at http://127.0.0.1:<port>; any page
 * served from another port of the same host receives its cookie (browsers don't keep cookies
 * apart by port, and SameSite=Strict doesn't help within one site). With the cookie alone — as a
 * cookie, as a bearer token, with or without the console's Origin — that page gets nothing. Only
 * the console, which also holds the session's secret in its own origin's storage, gets in.
 *
 * The real backend (the production bundle, as `npm start` runs it) and a real second HTTP server on
 * another loopback port; the browser's part is played by fetch, sending the cookie exactly as a
 * browser does for that host: `name=value`, whatever the port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type BackendProcess } from './backend-process.js';
import { cookieFrom } from './console-sign-in.js';
import { dialect, startHarness, type Harness } from './harness.js';

let h: Harness;
let backend: BackendProcess;
let page: http.Server;
let pageUrl: string;
/** The Cookie header of every request the page on the other port received. */
const received: Array<string | undefined> = [];

beforeAll(async () => {
  h = await startHarness();
  backend = await startBackend({ ...h.env, LOG_LEVEL: 'info' });
  page = http.createServer((req, res) => {
    received.push(req.headers.cookie);
    res.setHeader('Content-Type', 'text/html');
    res.end('<!doctype html><title>Nothing to see</title>');
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise<void>((resolve, reject) => page.close((error) => (error ? reject(error) : resolve())));
  await backend?.stop();
  await h?.close();
});

async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  const res = await fetch(`${backend.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe(`the console cookie received by a page on another port (${dialect})`, () => {
  it('gets that page nothing: 401 as a cookie, as a bearer token, and for a change; the console, with both halves, gets in', async () => {
    expect(new URL(backend.url).hostname).toBe('127.0.0.1');

    // 1. Sign in to the console with the code the backend printed.
    const signIn = await call('/api/session', { method: 'POST', headers: { Origin: backend.url }, body: { code: backend.pairingCode } });
    expect(signIn.status).toBe(201);
    const setCookie = signIn.headers.get('set-cookie')!;
    const secret: string = signIn.body.secret;
    // A host-only cookie for the whole path: a browser sends it to 127.0.0.1 on any port.
    expect(setCookie).not.toMatch(/Domain=/i);
    expect(setCookie).toMatch(/; Path=\/(;|$)/);
    const { cookie, cookieValue } = cookieFrom(setCookie);

    // 2. The browser opens a page served from another port of the same host, and sends the cookie along.
    expect(new URL(pageUrl).port).not.toBe(new URL(backend.url).port);
    const visit = await fetch(pageUrl, { headers: { Cookie: cookie } });
    expect(visit.status).toBe(200);
    await visit.text();
    expect(received).toEqual([cookie]);

    // 3. That page's process replays what it received.
    const stolen = received[0]!;
    const attempts: Array<[string, Awaited<ReturnType<typeof call>>]> = [
      ['/api/status with the cookie', await call('/api/status', { headers: { Cookie: stolen } })],
      ['/api/status with the cookie value as a bearer token', await call('/api/status', { headers: { Authorization: `Bearer ${cookieValue}` } })],
      ['/api/status with the cookie and its value as the header', await call('/api/status', { headers: { Cookie: stolen, 'X-Serval-Session': cookieValue } })],
      [
        'POST /api/applications with the cookie and the console’s own Origin',
        await call('/api/applications', { method: 'POST', headers: { Cookie: stolen, Origin: backend.url }, body: { name: 'Stolen' } }),
      ],
      [
        'POST /api/applications with the cookie value as a bearer token',
        await call('/api/applications', { method: 'POST', headers: { Authorization: `Bearer ${cookieValue}` }, body: { name: 'Stolen' } }),
      ],
      ['GET /api/sessions with the cookie', await call('/api/sessions', { headers: { Cookie: stolen } })],
    ];
    for (const [what, res] of attempts) {
      expect(res.status, what).toBe(401);
      expect(res.body.error.code, what).toBe('unauthorized');
    }

    // 4. The console itself holds the other half: in, and nothing was created by the page.
    const theConsole = { Cookie: cookie, 'X-Serval-Session': secret };
    const status = await call('/api/status', { headers: theConsole });
    expect(status.status).toBe(200);
    expect(status.body.person).toMatchObject({ name: 'Owner', role: 'admin' });
    const applications = await call('/api/applications', { headers: theConsole });
    expect(applications.status).toBe(200);
    expect(applications.body.applications.map((a: { name: string }) => a.name)).not.toContain('Stolen');
    const created = await call('/api/applications', { method: 'POST', headers: { ...theConsole, Origin: backend.url }, body: { name: 'Real' } });
    expect(created.status).toBe(201);
  });
});
