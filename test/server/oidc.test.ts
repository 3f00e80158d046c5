/**
 * Sign in with SSO against a real OpenID provider (`oidc-provider`, started on loopback by
 * test/oidc-provider), through the real routes and the real `openid-client`, on both databases.
 * The test is the browser: it follows every redirect by hand and carries the cookies; the
 * provider's sign-in page is submitted for a chosen account. Nothing is mocked.
 */
import { hash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { SIGN_IN_BRAKE } from '../../server/auth/passkeys.js';
import { setCookie, signInAtProvider } from '../oidc-provider/dance.js';
import { type OidcProviderHandle, startOidcProvider, type TestAccount } from '../oidc-provider/index.js';
import { type ApiResponse, type Harness, startHarness } from './harness.js';

/** The backend's redirect URI: its public origin on loopback (in-process requests carry no port, so PORT's). */
const REDIRECT_URI = 'http://localhost:8787/api/session/oidc/callback';
const CLIENT = { clientId: 'serval-console', clientSecret: 'a-client-secret-of-the-tests', redirectUris: [REDIRECT_URI] };
const ACCOUNTS: TestAccount[] = [
  { id: 'ada', email: 'Ada@Example.COM', emailVerified: true, name: 'Ada Lovelace' },
  { id: 'grace', email: 'grace@example.com', emailVerified: true, name: 'Grace Hopper' },
  { id: 'nameless', email: 'nameless@example.com', emailVerified: true },
  { id: 'mallory', email: 'mallory@example.com', emailVerified: false, name: 'Mallory' },
];
const anonymous = { token: null };

let provider: OidcProviderHandle;
/** Another provider the same client is registered at: its answers must not be taken for the first one's. */
let otherProvider: OidcProviderHandle;
/** A provider whose metadata names another issuer than the address it is reached at. */
let liarProvider: OidcProviderHandle;
/** A provider that puts the e-mail claims in the ID token too (the first keeps them for its userinfo endpoint). */
let idTokenProvider: OidcProviderHandle;
let h: Harness;

const ssoEnv = (issuer: string, extra: Record<string, string> = {}) => ({
  PORT: '8787',
  SERVAL_OIDC_ISSUER: issuer,
  SERVAL_OIDC_CLIENT_ID: CLIENT.clientId,
  SERVAL_OIDC_CLIENT_SECRET: CLIENT.clientSecret,
  ...extra,
});

beforeAll(async () => {
  provider = await startOidcProvider({ clients: [CLIENT], accounts: ACCOUNTS });
  otherProvider = await startOidcProvider({ accounts: ACCOUNTS });
  otherProvider.registerClient(CLIENT); // as the e2e test does, once the backend's port is known
  liarProvider = await startOidcProvider({ clients: [CLIENT], accounts: ACCOUNTS, issuer: (port) => `http://localhost:${port}` });
  idTokenProvider = await startOidcProvider({ clients: [CLIENT], accounts: ACCOUNTS, claimsOnlyFromUserinfo: false });
});

afterAll(async () => {
  await Promise.all([provider?.close(), otherProvider?.close(), liarProvider?.close(), idTokenProvider?.close()]);
});

beforeEach(async () => {
  h = await startHarness({ env: ssoEnv(provider.issuer) });
  await h.pair('Admin browser'); // Owner, an admin
});

afterEach(async () => {
  await h.close();
});

async function addPerson(name: string, email: string, role = 'member'): Promise<string> {
  const res = await h.post('/api/people', { name, email, role });
  expect(res.status).toBe(201);
  return res.body.person.id;
}

/** Sign in with SSO: to the provider and back. The flow cookie, and where the provider sent the browser. */
async function toProviderAndBack(account: string): Promise<{ flowCookie: string; back: URL; authorizationUrl: URL }> {
  const start = await h.get('/api/session/oidc/start', anonymous);
  expect(start.status).toBe(302);
  const flow = setCookie(start.headers, 'serval_oidc');
  expect(flow, 'the flow cookie is set').toBeDefined();
  const authorizationUrl = new URL(start.headers.get('location')!);
  const back = await signInAtProvider(authorizationUrl.href, account);
  expect(back.origin + back.pathname).toBe(REDIRECT_URI);
  return { flowCookie: `serval_oidc=${flow!.value}`, back, authorizationUrl };
}

async function callback(back: URL, flowCookie: string | null): Promise<ApiResponse> {
  return h.get(back.pathname + back.search, { ...anonymous, headers: flowCookie ? { Cookie: flowCookie } : {} });
}

async function signInWithSso(account: string): Promise<ApiResponse> {
  const { flowCookie, back } = await toProviderAndBack(account);
  return callback(back, flowCookie);
}

/** The session a successful callback gave: the cookie it set and the secret in the fragment, as the console sends them. */
function sessionFrom(res: ApiResponse): Record<string, string> {
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/^\/#session=sss_[A-Za-z0-9_-]{43}$/);
  const cookie = setCookie(res.headers, 'serval_session');
  expect(cookie, 'the session cookie is set').toBeDefined();
  return { Cookie: `serval_session=${cookie!.value}`, 'X-Serval-Session': decodeURIComponent(location.slice('/#session='.length)) };
}

/** A refusal: to the sign-in page with the reason, and no session cookie. */
function expectRefused(res: ApiResponse, code: string) {
  expect({ status: res.status, location: res.headers.get('location') }).toEqual({ status: 302, location: `/sign-in?error=${code}` });
  expect(setCookie(res.headers, 'serval_session')).toBeUndefined();
}

/** Why the backend refused, as its log says (for whoever runs it: the browser only learns the code). */
function refusalReasons(): string[] {
  return h.logLines
    .map((l) => JSON.parse(l))
    .filter((l) => l.msg === 'single sign-on did not sign anyone in')
    .map((l) => l.reason);
}

async function sessionCount(): Promise<number> {
  const [row] = await h.sql<{ n: number | string }>('select count(*) as n from sessions');
  return Number(row.n);
}

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

    const me = await h.get('/api/me', { ...anonymous, headers: session });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ person: { id: adaId, name: 'Ada L.', email: 'ada@example.com', role: 'member' }, via: 'session' });
    // Neither half alone.
    expect((await h.get('/api/me', { ...anonymous, headers: { Cookie: session.Cookie } })).status).toBe(401);
    expect((await h.get('/api/me', { ...anonymous, headers: { 'X-Serval-Session': session['X-Serval-Session'] } })).status).toBe(401);

    const [row] = await h.sql<{ method: string; person_id: string }>('select method, person_id from sessions');
    expect(row).toEqual({ method: 'oidc', person_id: adaId });
    const audit = await h.get('/api/audit');
    expect(audit.body.events[0]).toMatchObject({ action: 'session.started', person: { id: adaId }, detail: { method: 'oidc' } });
    // Neither the credentials nor what would redeem the answer are logged.
    const logs = h.logLines.join('\n');
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
    const start = await h.get('/api/session/oidc/start', anonymous);
    expect(start.status).toBe(302);
    const url = new URL(start.headers.get('location')!);
    expect(url.origin).toBe(provider.url);
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
    const rows = await h.sql<{ id_hash: string; kind: string; data: string }>('select id_hash, kind, data from sign_in_flows');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id_hash: hash('sha256', flow.value, 'hex'), kind: 'oidc' });
    expect(rows[0].data).not.toContain(flow.value);
    expect(JSON.parse(rows[0].data)).toMatchObject({ state: params.state, nonce: params.nonce, redirectUri: REDIRECT_URI });
  });

  test('a provider that gives the e-mail claims in the ID token signs in the same way', async () => {
    const adaId = await addPerson('Ada', 'ada@example.com');
    await h.restart(ssoEnv(idTokenProvider.issuer));
    const me = await h.get('/api/me', { ...anonymous, headers: sessionFrom(await signInWithSso('ada')) });
    expect(me.body.person.id).toBe(adaId);
    expectRefused(await signInWithSso('mallory'), 'sso_refused');
  });

  test('a console opened at 127.0.0.1 starts again at its public origin (localhost), where the provider will send the browser back', async () => {
    const res = await h.get('http://127.0.0.1:8787/api/session/oidc/start', anonymous);
    expect({ status: res.status, location: res.headers.get('location') }).toEqual({ status: 302, location: 'http://localhost:8787/api/session/oidc/start' });
    expect(setCookie(res.headers, 'serval_oidc')).toBeUndefined();
    expect(await h.sql('select * from sign_in_flows')).toEqual([]);
  });

  test('an e-mail no one here has is refused, and no one is created', async () => {
    const before = (await h.get('/api/people')).body.people.length;
    expectRefused(await signInWithSso('grace'), 'sso_refused');
    expect((await h.get('/api/people')).body.people).toHaveLength(before);
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
    expect((await h.patch(`/api/people/${id}`, { disabled: true })).status).toBe(200);
    expectRefused(await signInWithSso('grace'), 'sso_refused');
    expect(await sessionCount()).toBe(0);
    expect(refusalReasons()).toEqual(['this person is disabled']);
  });

  test('with SERVAL_OIDC_DEFAULT_ROLE, an unknown verified e-mail becomes a person with that role (named by the provider, else by the e-mail)', async () => {
    await h.restart(ssoEnv(provider.issuer, { SERVAL_OIDC_DEFAULT_ROLE: 'viewer' }));
    const me = await h.get('/api/me', { ...anonymous, headers: sessionFrom(await signInWithSso('grace')) });
    expect(me.body.person).toMatchObject({ name: 'Grace Hopper', email: 'grace@example.com', role: 'viewer' });
    const nameless = await h.get('/api/me', { ...anonymous, headers: sessionFrom(await signInWithSso('nameless')) });
    expect(nameless.body.person).toMatchObject({ name: 'nameless@example.com', role: 'viewer' });
    // The second time, the same person.
    const again = await h.get('/api/me', { ...anonymous, headers: sessionFrom(await signInWithSso('grace')) });
    expect(again.body.person.id).toBe(me.body.person.id);
    const created = (await h.get('/api/audit')).body.events.filter((e: any) => e.action === 'person.created' && e.detail.role === 'viewer');
    expect(created.map((e: any) => e.detail.name).sort()).toEqual(['Grace Hopper', 'nameless@example.com']);
    // An unverified e-mail is still refused.
    expectRefused(await signInWithSso('mallory'), 'sso_refused');
  });
});

describe('an answer that does not hold signs no one in', () => {
  beforeEach(async () => {
    await addPerson('Ada', 'ada@example.com');
  });

  test('a tampered state', async () => {
    const { flowCookie, back } = await toProviderAndBack('ada');
    back.searchParams.set('state', `${back.searchParams.get('state')}x`);
    expectRefused(await callback(back, flowCookie), 'sso_failed');
    expect(await sessionCount()).toBe(0);
    expect(refusalReasons()).toEqual([expect.stringContaining('unexpected "state" response parameter value')]);
  });

  test('a callback used twice (the flow is single use)', async () => {
    const { flowCookie, back } = await toProviderAndBack('ada');
    sessionFrom(await callback(back, flowCookie));
    expectRefused(await callback(back, flowCookie), 'sso_failed');
    expect(await sessionCount()).toBe(1);
  });

  test('a callback without the browser’s flow cookie (another browser)', async () => {
    const { back } = await toProviderAndBack('ada');
    expectRefused(await callback(back, null), 'sso_failed');
    expect(await sessionCount()).toBe(0);
  });

  test('an ID token whose nonce is not the one this sign-in sent', async () => {
    const { flowCookie, back } = await toProviderAndBack('ada');
    const [row] = await h.sql<{ id_hash: string; data: string }>('select id_hash, data from sign_in_flows');
    const data = JSON.parse(row.data);
    await h.sql('update sign_in_flows set data = ? where id_hash = ?', [JSON.stringify({ ...data, nonce: `${data.nonce}x` }), row.id_hash]);
    expectRefused(await callback(back, flowCookie), 'sso_failed');
    expect(await sessionCount()).toBe(0);
    expect(refusalReasons()).toEqual([expect.stringContaining('unexpected ID Token "nonce" claim value')]);
  });

  test('an answer from another provider than the configured issuer (a mix-up)', async () => {
    const start = await h.get('/api/session/oidc/start', anonymous);
    const flowCookie = `serval_oidc=${setCookie(start.headers, 'serval_oidc')!.value}`;
    // The same request, sent to the other provider, which knows the same client and redirect URI.
    const elsewhere = new URL(start.headers.get('location')!);
    elsewhere.host = new URL(otherProvider.url).host;
    const back = await signInAtProvider(elsewhere.href, 'ada');
    expect(back.searchParams.get('iss')).toBe(otherProvider.issuer);
    expectRefused(await callback(back, flowCookie), 'sso_failed');
    expect(await sessionCount()).toBe(0);
    expect(refusalReasons()).toEqual([expect.stringContaining('unexpected "iss" (issuer) response parameter value')]);
  });

  test('a provider whose metadata names another issuer is refused at discovery', async () => {
    await h.restart(ssoEnv(liarProvider.url)); // it says it is http://localhost:<port>
    const start = await h.get('/api/session/oidc/start', anonymous);
    expectRefused(start, 'sso_failed');
    expect(setCookie(start.headers, 'serval_oidc')).toBeUndefined();
    expect(await h.sql('select * from sign_in_flows')).toEqual([]);
    expect(refusalReasons()).toEqual([expect.stringMatching(/^discovery of .* failed: .*metadata issuer does not match the expected issuer/)]);
  });

  test('failures count in the sign-in brake, and past it even a good answer waits', async () => {
    for (let i = 0; i < SIGN_IN_BRAKE.maxFailures; i++) expectRefused(await h.get('/api/session/oidc/callback?code=x&state=y', anonymous), 'sso_failed');
    const { flowCookie, back } = await toProviderAndBack('ada');
    expectRefused(await callback(back, flowCookie), 'sign_in_rate_limited');
    expect(await sessionCount()).toBe(0);
  });
});

describe('without SSO settings', () => {
  test('both routes are 404 sso_not_configured', async () => {
    await h.restart({ SERVAL_OIDC_ISSUER: '', SERVAL_OIDC_CLIENT_ID: '', SERVAL_OIDC_CLIENT_SECRET: '' });
    for (const path of ['/api/session/oidc/start', '/api/session/oidc/callback?code=x&state=y']) {
      const res = await h.get(path, anonymous);
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 404, code: 'sso_not_configured' });
    }
    expect((await h.get('/api/session/methods', anonymous)).body).toMatchObject({ sso: false });
  });
});
