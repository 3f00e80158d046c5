/**
 * The web console's session: a pairing code signs the browser in as the code's person; the
 * session's credential has two halves — an HttpOnly, SameSite=Strict cookie and a secret sent as
 * X-Serval-Session — and neither works alone or in the other's (or a device token's) place; a
 * change made with a session must come from the console's own origin; signing out revokes it.
 * And the page's CSP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSession, HOST, ORIGIN, signIn, withHeaders } from './console-sign-in.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let device: string;
beforeAll(async () => {
  h = await startHarness();
  device = await h.pair('Script');
});
afterAll(async () => {
  await h.close();
});

describe('code sign-in', () => {
  it("answers the code's person, the session and its secret, and sets an HttpOnly, SameSite=Strict, Path=/ cookie that lives as long as the session", async () => {
    const devicesBefore = (await h.get('/api/devices')).body.devices.length;
    const s = await signIn(h);
    expect(s.body).toEqual({
      person: expect.objectContaining({ name: 'Owner', role: 'admin', disabledAt: null }),
      session: { id: expect.stringMatching(/^ses_/), expiresAt: expect.any(String) },
      secret: expect.stringMatching(/^sss_[A-Za-z0-9_-]{43}$/),
    });
    expect(s.cookieValue).toMatch(/^[A-Za-z0-9_-]{43}$/); // random, not a device token
    expect(JSON.stringify(s.body)).not.toContain(s.cookieValue);
    expect(s.setCookie).toMatch(/^serval_session=/);
    expect(s.setCookie).toMatch(/; HttpOnly/i);
    expect(s.setCookie).toMatch(/; SameSite=Strict/i);
    expect(s.setCookie).toMatch(/; Path=\//);
    expect(s.setCookie).not.toMatch(/Secure/i); // plain http on loopback
    expect(s.setCookie).toMatch(/; Max-Age=43200(;|$)/); // SERVAL_SESSION_MAX_HOURS' default, 12 h: no longer than the session
    expect(Date.parse(s.body.session.expiresAt) - Date.now()).toBeGreaterThan(12 * 3_600_000 - 60_000);
    expect(Date.parse(s.body.session.expiresAt) - Date.now()).toBeLessThanOrEqual(12 * 3_600_000);
    const me = await h.get('/api/me', asSession(s));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ person: { name: 'Owner', role: 'admin' }, via: 'session' });
    // A session is not a device: signing in paired nothing.
    expect((await h.get('/api/devices')).body.devices).toHaveLength(devicesBefore);
  });

  it('over https the cookie is __Host-serval_session with Secure, and only that name is read there', async () => {
    const s = await signIn(h, { url: `https://${HOST}/api/session` });
    expect(s.setCookie).toMatch(/^__Host-serval_session=/);
    expect(s.setCookie).toMatch(/; Secure/);
    expect(s.setCookie).toMatch(/; Path=\//);
    expect(s.setCookie).not.toMatch(/Domain=/i);
    expect((await h.get(`https://${HOST}/api/status`, asSession(s))).status).toBe(200);
    // The same value under the plain name (as a sibling host on plain http could set it) is not read over https.
    const plain = { cookie: `serval_session=${s.cookieValue}`, secret: s.secret };
    expect((await h.get(`https://${HOST}/api/status`, asSession(plain))).status).toBe(401);
  });

  it('X-Forwarded-Proto: https is ignored without SERVAL_TRUST_PROXY: no Secure cookie on plain http', async () => {
    const s = await signIn(h, { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(s.setCookie).toMatch(/^serval_session=/);
    expect(s.setCookie).not.toMatch(/Secure/i);
  });

  it('a wrong code is refused like pairing, and sets no cookie', async () => {
    const res = await h.post('/api/session', { code: 'WRNG-CODE' }, withHeaders({}));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('pairing_code_invalid');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('a code used once signs no one in again', async () => {
    const { code } = await h.runtime.pairing.issueCode();
    expect((await h.post('/api/session', { code }, withHeaders({}))).status).toBe(201);
    const again = await h.post('/api/session', { code }, withHeaders({}));
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('pairing_code_invalid');
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('bad input is 400 validation_failed and sets nothing', async () => {
    for (const body of [{}, { code: '' }, { code: 42 }, { code: 'X'.repeat(33) }, []]) {
      const res = await h.post('/api/session', body, withHeaders({}));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });
});

describe('the two halves', () => {
  it('neither works alone, in the other’s place, or as a bearer token; a device token is no session', async () => {
    const s = await signIn(h);
    const other = await signIn(h);
    const refused: Array<[string, ReturnType<typeof withHeaders>]> = [
      ['the cookie alone', withHeaders({ Cookie: s.cookie })],
      ['the header alone', withHeaders({ 'X-Serval-Session': s.secret })],
      ['the cookie value as a bearer token', withHeaders({ Authorization: `Bearer ${s.cookieValue}` })],
      ['the secret as a bearer token', withHeaders({ Authorization: `Bearer ${s.secret}` })],
      ['the halves swapped', withHeaders({ Cookie: `serval_session=${s.secret}`, 'X-Serval-Session': s.cookieValue })],
      ['another session’s secret', asSession({ cookie: s.cookie, secret: other.secret })],
      ['a device token as the cookie and the header', withHeaders({ Cookie: `serval_session=${device}`, 'X-Serval-Session': device })],
      ['a device token as the header', asSession({ cookie: s.cookie, secret: device })],
      ['a device token as the cookie', asSession({ cookie: `serval_session=${device}`, secret: s.secret })],
    ];
    for (const [what, init] of refused) {
      const res = await h.get('/api/status', init);
      expect(res.status, what).toBe(401);
      expect(res.body.error.code, what).toBe('unauthorized');
    }
    expect((await h.get('/api/status', withHeaders({ Cookie: s.cookie }))).body.error.message).toBe('Your console session has ended. Sign in again.');
    // Both halves of one session: in.
    const status = await h.get('/api/status', asSession(s));
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ device: null, person: { name: 'Owner', role: 'admin' } });
    expect((await h.get('/api/status', asSession(other))).status).toBe(200);
  });

  it('no credential at all is 401 with a hint of both ways in', async () => {
    const res = await h.get('/api/status', withHeaders({}));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="Serval"');
    expect(res.body.error.message).toMatch(/Sign in to the console, or send a device token/);
  });
});

describe('changes made with a session', () => {
  it('need the console origin: none or a foreign one is 403 csrf_rejected, the own one works; reads need no Origin', async () => {
    const s = await signIn(h);
    for (const origin of [undefined, 'http://evil.example', 'null', 'http://127.0.0.1:9999']) {
      const res = await h.post('/api/applications', { name: 'Forged' }, asSession(s, origin ? { Origin: origin } : {}));
      expect(res.status, String(origin)).toBe(403);
      expect(res.body.error.code).toBe('csrf_rejected');
    }
    expect((await h.post('/api/applications', { name: 'Real' }, asSession(s, { Origin: ORIGIN }))).status).toBe(201);
    expect((await h.get('/api/applications', asSession(s))).body.applications.map((a: any) => a.name)).toContain('Real');
    expect((await h.get('/api/applications', asSession(s))).body.applications.map((a: any) => a.name)).not.toContain('Forged');
    // A bearer token is not sent by browsers on their own: no Origin needed.
    expect((await h.post('/api/applications', { name: 'By token' }, { token: device })).status).toBe(201);
  });
});

describe('sign out', () => {
  it('revokes the session: the same cookie and header are refused at once, and the cookie is cleared', async () => {
    const s = await signIn(h);
    const kept = await signIn(h);
    expect((await h.del('/api/session', asSession(s))).status).toBe(403); // a change: Origin needed
    const out = await h.del('/api/session', asSession(s, { Origin: ORIGIN }));
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^serval_session=;.*Max-Age=0/i);
    const after = await h.get('/api/status', asSession(s));
    expect(after.status).toBe(401);
    expect(after.body.error.message).toBe('Your console session has ended. Sign in again.');
    expect((await h.del('/api/session', asSession(s, { Origin: ORIGIN }))).status).toBe(401);
    // Only that session: another one of the same person carries on.
    expect((await h.get('/api/status', asSession(kept))).status).toBe(200);
  });

  it('is for sessions: a device token gets 401 and stays paired', async () => {
    const res = await h.del('/api/session', { token: device });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/console session/);
    expect((await h.get('/api/status', { token: device })).status).toBe(200);
  });

  it('the old GET /api/session is gone (GET /api/me says who is signed in)', async () => {
    const s = await signIn(h);
    expect((await h.get('/api/session', asSession(s))).status).toBe(404);
    expect((await h.get('/api/session', withHeaders({}))).status).toBe(401);
  });
});

describe('GET /api/session/methods', () => {
  it('is public: passkeys always; SSO when configured; the localhost address for passkeys when opened at 127.0.0.1', async () => {
    const at127 = await h.get('/api/session/methods', withHeaders({}));
    expect(at127.status).toBe(200);
    expect(at127.body).toEqual({ passkey: true, sso: false, passkeyOrigin: 'http://localhost:8787' });
    const atLocalhost = await h.get('/api/session/methods', { token: null, headers: { Host: 'localhost:8787' } });
    expect(atLocalhost.body).toEqual({ passkey: true, sso: false, passkeyOrigin: null });
  });
});

describe('the cookie parser', () => {
  it('reads the cookie among others, and a missing value is no cookie', async () => {
    const s = await signIn(h);
    const among = withHeaders({ Cookie: `theme=dark; ${s.cookie}; other=1`, 'X-Serval-Session': s.secret });
    expect((await h.get('/api/status', among)).status).toBe(200);
    expect((await h.get('/api/status', withHeaders({ Cookie: 'serval_session=', 'X-Serval-Session': s.secret }))).status).toBe(401);
  });
});

describe('the OpenAPI document', () => {
  it('describes the session endpoints, and a session (cookie and header together) beside the bearer token', async () => {
    const doc = (await h.get('/api/openapi.json', { token: null })).body;
    expect(doc.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      sessionCookie: { type: 'apiKey', in: 'cookie', name: 'serval_session' },
      sessionHeader: { type: 'apiKey', in: 'header', name: 'X-Serval-Session' },
    });
    expect(Object.keys(doc.paths['/session']).sort()).toEqual(['delete', 'post']);
    expect(doc.paths['/session'].delete.security).toEqual([{ bearer: [] }, { sessionCookie: [], sessionHeader: [] }]);
    expect(doc.paths['/session'].post.security).toBeUndefined();
    expect(Object.keys(doc.paths['/session/methods'])).toEqual(['get']);
    expect(Object.keys(doc.paths['/sessions'])).toEqual(['get']);
    expect(Object.keys(doc.paths['/sessions/{id}'])).toEqual(['delete']);
  });
});

describe('the console page', () => {
  it('is served with a Content-Security-Policy that allows no inline script', async () => {
    for (const path of ['/', '/applications', '/devices', '/audit', '/people', '/invite', '/sign-in']) {
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
});
