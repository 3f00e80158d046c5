/**
 * The web console's session: a pairing code signs the browser in as a device; the
 * token travels only in an HttpOnly, SameSite=Strict cookie; a cookie-authenticated change must
 * come from the console's own origin; signing out revokes the device. And the page's CSP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleDeviceName } from '../../server/console/user-agent.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const ORIGIN = 'http://127.0.0.1:8787';

async function signIn(headers: Record<string, string> = {}) {
  const { code } = await h.runtime.pairing.issueCode();
  const res = await h.post('/api/session', { code }, { token: null, headers: { 'User-Agent': CHROME_LINUX, Host: '127.0.0.1:8787', ...headers } });
  expect(res.status).toBe(201);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = /serval_session=([^;]+)/.exec(setCookie)![1];
  return { res, setCookie, cookie: `serval_session=${cookie}` };
}
const withCookie = (cookie: string, extra: Record<string, string> = {}) => ({ token: null, headers: { Cookie: cookie, Host: '127.0.0.1:8787', ...extra } });

describe('console sign-in', () => {
  it('pairs the browser as a device named after it, and sets an HttpOnly, SameSite=Strict, Path=/ cookie — the token never in the body', async () => {
    const { res, setCookie, cookie } = await signIn();
    expect(res.body).toEqual({ device: { id: expect.stringMatching(/^dev_/), name: 'Console — Chrome on Linux' } });
    expect(JSON.stringify(res.body)).not.toContain('svl_');
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/i); // plain http on loopback
    expect((await h.get('/api/status', withCookie(cookie))).status).toBe(200);
    expect((await h.get('/api/session', withCookie(cookie))).body.device.name).toBe('Console — Chrome on Linux');
  });

  it('is Secure over https (directly or behind a proxy that says so)', async () => {
    const { setCookie } = await signIn({ 'X-Forwarded-Proto': 'https' });
    expect(setCookie).toMatch(/Secure/i);
  });

  it('a wrong code is refused like pairing', async () => {
    const res = await h.post('/api/session', { code: 'WRNG-CODE' }, { token: null });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('pairing_code_invalid');
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('cookie-authenticated changes', () => {
  it('need the console origin: none or a foreign one is 403 csrf_rejected, the own one works; reads need no Origin', async () => {
    const { cookie } = await signIn();
    for (const origin of [undefined, 'http://evil.example', 'null', 'http://127.0.0.1:9999']) {
      const res = await h.post('/api/applications', { name: 'Forged' }, withCookie(cookie, origin ? { Origin: origin } : {}));
      expect(res.status, String(origin)).toBe(403);
      expect(res.body.error.code).toBe('csrf_rejected');
    }
    expect((await h.post('/api/applications', { name: 'Real' }, withCookie(cookie, { Origin: ORIGIN }))).status).toBe(201);
    expect((await h.get('/api/applications', withCookie(cookie))).body.applications.map((a: any) => a.name)).toEqual(['Real']);
    // A bearer token is not sent by browsers on their own: no Origin needed.
    const token = await h.pair('Script');
    expect((await h.post('/api/applications', { name: 'By token' }, { token })).status).toBe(201);
  });

  it('sign out revokes the device and clears the cookie', async () => {
    const { cookie } = await signIn();
    expect((await h.del('/api/session', withCookie(cookie))).status).toBe(403); // a change: Origin needed
    const out = await h.del('/api/session', withCookie(cookie, { Origin: ORIGIN }));
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/serval_session=;.*Max-Age=0/i);
    expect((await h.get('/api/status', withCookie(cookie))).status).toBe(401);
  });
});

describe('the console page', () => {
  it('is served with a Content-Security-Policy that allows no inline script', async () => {
    for (const path of ['/', '/applications', '/devices', '/audit']) {
      const res = await h.get(path, { token: null });
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(String(res.body)).not.toMatch(/https?:\/\/(?!127)[a-z]/i); // no CDN
    }
    expect((await h.get('/not-a-console-page', { token: null })).status).toBe(404);
  });

  it('names console devices after the browser', () => {
    expect(consoleDeviceName(CHROME_LINUX)).toBe('Console — Chrome on Linux');
    expect(consoleDeviceName('Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe('Console — Firefox on macOS');
    expect(consoleDeviceName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36 Edg/120')).toBe(
      'Console — Edge on Windows',
    );
    expect(consoleDeviceName(undefined)).toBe('Console — a browser');
  });
});
