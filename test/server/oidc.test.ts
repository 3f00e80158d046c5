/**
 * Sign in with SSO against a real OpenID provider (`oidc-provider`, started on loopback by
 * test/oidc-provider), through the real routes and the real `openid-client`, on both databases.
 * The test is the browser (./oidc-world.ts). Nothing is mocked. The answers that must sign no one
 * in: ./oidc-refusals.test.ts.
 */
import { hash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { setCookie } from '../oidc-provider/dance.js';
import {
  addPerson,
  anonymous,
  CLIENT,
  expectRefused,
  REDIRECT_URI,
  refusalReasons,
  sessionCount,
  sessionFrom,
  signInWithSso,
  ssoEnv,
  toProviderAndBack,
  callback,
  useOidcWorld,
  world,
} from './oidc-world.js';

useOidcWorld();

describe('signing in with SSO', () => {
  test('a person whose verified e-mail the provider vouches for is signed in, and the fragment secret with the cookie is their session', async () => {
    const adaId = await addPerson('Ada L.', 'ada@example.com');
    const { flowCookie, back } = await toProviderAndBack('ada'); // the provider says Ada@Example.COM: matched without regard to case
    const res = await callback(back, flowCookie);
    const session = sessionFrom(res);
    const cookie = setCookie(res.headers, 'serval_session')!;
    expect(cookie.attributes.has('httponly')).toBe(true);
    expect(cookie.attributes.get('samesite')).toBe('Strict');
    expect(res.headers.get('cache-control')).toBe('no-store');
    // The flow cookie is spent.
    expect(setCookie(res.headers, 'serval_oidc')?.attributes.get('max-age')).toBe('0');

    const me = await world.h.get('/api/me', { ...anonymous, headers: session });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ person: { id: adaId, name: 'Ada L.', email: 'ada@example.com', role: 'member' }, via: 'session' });
    // Neither half alone.
    expect((await world.h.get('/api/me', { ...anonymous, headers: { Cookie: session.Cookie } })).status).toBe(401);
    expect((await world.h.get('/api/me', { ...anonymous, headers: { 'X-Serval-Session': session['X-Serval-Session'] } })).status).toBe(401);

    const [row] = await world.h.sql<{ method: string; person_id: string }>('select method, person_id from sessions');
    expect(row).toEqual({ method: 'oidc', person_id: adaId });
    const audit = await world.h.get('/api/audit');
    expect(audit.body.events[0]).toMatchObject({ action: 'session.started', person: { id: adaId }, detail: { method: 'oidc' } });
    // Neither the credentials nor what would redeem the answer are logged.
    const logs = world.h.logLines.join('\n');
    for (const secret of [
      session['X-Serval-Session'],
      session.Cookie.split('=')[1],
      CLIENT.clientSecret,
      back.searchParams.get('code')!,
      flowCookie.split('=')[1],
    ]) {
      expect(logs).not.toContain(secret);
    }
  });

  test('start sends the browser to the provider with PKCE (S256), state, nonce and the scope, and keeps only the digest of the flow handle', async () => {
    const start = await world.h.get('/api/session/oidc/start', anonymous);
    expect(start.status).toBe(302);
    const url = new URL(start.headers.get('location')!);
    expect(url.origin).toBe(world.provider.url);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({
      client_id: CLIENT.clientId,
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: REDIRECT_URI,
      code_challenge_method: 'S256',
    });
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.state.length).toBeGreaterThanOrEqual(43);
    expect(params.nonce.length).toBeGreaterThanOrEqual(43);

    const flow = setCookie(start.headers, 'serval_oidc')!;
    expect(flow.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.fromEntries(flow.attributes)).toMatchObject({ httponly: '', samesite: 'Lax', path: '/api/session/oidc', 'max-age': '600' });
    const rows = await world.h.sql<{ id_hash: string; kind: string; data: string }>('select id_hash, kind, data from sign_in_flows');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id_hash: hash('sha256', flow.value, 'hex'), kind: 'oidc' });
    expect(rows[0].data).not.toContain(flow.value);
    expect(JSON.parse(rows[0].data)).toMatchObject({ state: params.state, nonce: params.nonce, redirectUri: REDIRECT_URI });
  });

  test('a provider that gives the e-mail claims in the ID token signs in the same way', async () => {
    const adaId = await addPerson('Ada', 'ada@example.com');
    await world.h.restart(ssoEnv(world.idTokenProvider.issuer));
    const me = await world.h.get('/api/me', { ...anonymous, headers: sessionFrom(await signInWithSso('ada')) });
    expect(me.body.person.id).toBe(adaId);
    expectRefused(await signInWithSso('mallory'), 'sso_refused');
  });

  test('a console opened at 127.0.0.1 starts again at its public origin (localhost), where the provider will send the browser back', async () => {
    const res = await world.h.get('http://127.0.0.1:8787/api/session/oidc/start', anonymous);
    expect({ status: res.status, location: res.headers.get('location') }).toEqual({ status: 302, location: 'http://localhost:8787/api/session/oidc/start' });
    expect(setCookie(res.headers, 'serval_oidc')).toBeUndefined();
    expect(await world.h.sql('select * from sign_in_flows')).toEqual([]);
  });

  test('an e-mail no one here has is refused, and no one is created', async () => {
    const before = (await world.h.get('/api/people')).body.people.length;
    expectRefused(await signInWithSso('grace'), 'sso_refused');
    expect((await world.h.get('/api/people')).body.people).toHaveLength(before);
    expect(await sessionCount()).toBe(0);
    expect(refusalReasons()).toEqual(['no one here has this e-mail address']);
  });

  test('an e-mail the provider has not verified is refused, even when someone here has it', async () => {
    await addPerson('Mallory', 'mallory@example.com');
    expectRefused(await signInWithSso('mallory'), 'sso_refused');
    expect(await sessionCount()).toBe(0);
    expect(refusalReasons()).toEqual(['the identity provider has not verified this e-mail address']);
  });

  test('a disabled person is refused', async () => {
    const id = await addPerson('Grace', 'grace@example.com');
    expect((await world.h.patch(`/api/people/${id}`, { disabled: true })).status).toBe(200);
    expectRefused(await signInWithSso('grace'), 'sso_refused');
    expect(await sessionCount()).toBe(0);
    expect(refusalReasons()).toEqual(['this person is disabled']);
  });

  test('with SERVAL_OIDC_DEFAULT_ROLE, an unknown verified e-mail becomes a person with that role (named by the provider, else by the e-mail)', async () => {
    await world.h.restart(ssoEnv(world.provider.issuer, { SERVAL_OIDC_DEFAULT_ROLE: 'viewer' }));
    const me = await world.h.get('/api/me', { ...anonymous, headers: sessionFrom(await signInWithSso('grace')) });
    expect(me.body.person).toMatchObject({ name: 'Grace Hopper', email: 'grace@example.com', role: 'viewer' });
    const nameless = await world.h.get('/api/me', { ...anonymous, headers: sessionFrom(await signInWithSso('nameless')) });
    expect(nameless.body.person).toMatchObject({ name: 'nameless@example.com', role: 'viewer' });
    // The second time, the same person.
    const again = await world.h.get('/api/me', { ...anonymous, headers: sessionFrom(await signInWithSso('grace')) });
    expect(again.body.person.id).toBe(me.body.person.id);
    const created = (await world.h.get('/api/audit')).body.events.filter((e: any) => e.action === 'person.created' && e.detail.role === 'viewer');
    expect(created.map((e: any) => e.detail.name).sort()).toEqual(['Grace Hopper', 'nameless@example.com']);
    // An unverified e-mail is still refused.
    expectRefused(await signInWithSso('mallory'), 'sso_refused');
  });
});

describe('the API document', () => {
  test('lists both routes as public redirects', async () => {
    const doc = (await world.h.get('/api/openapi.json', anonymous)).body;
    for (const path of ['/session/oidc/start', '/session/oidc/callback']) {
      const operation = doc.paths[path]?.get;
      expect(operation, path).toBeDefined();
      expect(operation.security, path).toBeUndefined();
      expect(Object.keys(operation.responses), path).toEqual(expect.arrayContaining(['302', '404']));
    }
  });
});

describe('without SSO settings', () => {
  test('both routes are 404 sso_not_configured', async () => {
    await world.h.restart({ SERVAL_OIDC_ISSUER: '', SERVAL_OIDC_CLIENT_ID: '', SERVAL_OIDC_CLIENT_SECRET: '' });
    for (const path of ['/api/session/oidc/start', '/api/session/oidc/callback?code=x&state=y']) {
      const res = await world.h.get(path, anonymous);
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 404, code: 'sso_not_configured' });
    }
    expect((await world.h.get('/api/session/methods', anonymous)).body).toMatchObject({ sso: false });
  });
});
