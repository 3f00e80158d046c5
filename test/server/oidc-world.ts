/**
 * What the SSO tests share: a real OpenID provider (`oidc-provider`, test/oidc-provider) and three
 * more for the answers that must not be taken, started on loopback once per file; a backend with
 * SSO for each test, on the run's database; and the browser's side of the dance, with fetch —
 * every redirect followed by hand, the cookies carried.
 */
import { expect, afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { setCookie, signInAtProvider } from '../oidc-provider/dance.js';
import { type OidcProviderHandle, startOidcProvider, type TestAccount } from '../oidc-provider/index.js';
import { type ApiResponse, type Harness, startHarness } from './harness.js';

/** The backend's redirect URI: its public origin on loopback (in-process requests carry no port, so PORT's). */
export const REDIRECT_URI = 'http://localhost:8787/api/session/oidc/callback';
export const CLIENT = { clientId: 'serval-console', clientSecret: 'a-client-secret-of-the-tests', redirectUris: [REDIRECT_URI] };
export const ACCOUNTS: TestAccount[] = [
  { id: 'ada', email: 'Ada@Example.COM', emailVerified: true, name: 'Ada Lovelace' },
  { id: 'grace', email: 'grace@example.com', emailVerified: true, name: 'Grace Hopper' },
  { id: 'nameless', email: 'nameless@example.com', emailVerified: true },
  { id: 'mallory', email: 'mallory@example.com', emailVerified: false, name: 'Mallory' },
];
export const anonymous = { token: null };

/** What every SSO test has: the providers (started once per file) and a fresh backend (per test). */
export const world = {
  provider: null as unknown as OidcProviderHandle,
  /** Another provider the same client is registered at: its answers must not be taken for the first one's. */
  otherProvider: null as unknown as OidcProviderHandle,
  /** A provider whose metadata names another issuer than the address it is reached at. */
  liarProvider: null as unknown as OidcProviderHandle,
  /** A provider that puts the e-mail claims in the ID token too (the first keeps them for its userinfo endpoint). */
  idTokenProvider: null as unknown as OidcProviderHandle,
  h: null as unknown as Harness,
};

export const ssoEnv = (issuer: string, extra: Record<string, string> = {}) => ({
  PORT: '8787',
  SERVAL_OIDC_ISSUER: issuer,
  SERVAL_OIDC_CLIENT_ID: CLIENT.clientId,
  SERVAL_OIDC_CLIENT_SECRET: CLIENT.clientSecret,
  ...extra,
});

/** Registers the file's hooks: the providers for the file, a backend with SSO for each test. */
export function useOidcWorld(): void {
  beforeAll(async () => {
    world.provider = await startOidcProvider({ clients: [CLIENT], accounts: ACCOUNTS });
    world.otherProvider = await startOidcProvider({ accounts: ACCOUNTS });
    world.otherProvider.registerClient(CLIENT); // as the e2e test does, once the backend's port is known
    world.liarProvider = await startOidcProvider({ clients: [CLIENT], accounts: ACCOUNTS, issuer: (port) => `http://localhost:${port}` });
    world.idTokenProvider = await startOidcProvider({ clients: [CLIENT], accounts: ACCOUNTS, claimsOnlyFromUserinfo: false });
  });

  afterAll(async () => {
    const { provider, otherProvider, liarProvider, idTokenProvider } = world;
    await Promise.all([provider?.close(), otherProvider?.close(), liarProvider?.close(), idTokenProvider?.close()]);
  });

  beforeEach(async () => {
    world.h = await startHarness({ env: ssoEnv(world.provider.issuer) });
    await world.h.pair('Admin browser'); // Owner, an admin
  });

  afterEach(async () => {
    await world.h.close();
  });
}

export async function addPerson(name: string, email: string, role = 'member'): Promise<string> {
  const res = await world.h.post('/api/people', { name, email, role });
  expect(res.status).toBe(201);
  return res.body.person.id;
}

/** Sign in with SSO: to the provider and back. The flow cookie, and where the provider sent the browser. */
export async function toProviderAndBack(account: string): Promise<{ flowCookie: string; back: URL; authorizationUrl: URL }> {
  const start = await world.h.get('/api/session/oidc/start', anonymous);
  expect(start.status).toBe(302);
  const flow = setCookie(start.headers, 'serval_oidc');
  expect(flow, 'the flow cookie is set').toBeDefined();
  const authorizationUrl = new URL(start.headers.get('location')!);
  const back = await signInAtProvider(authorizationUrl.href, account);
  expect(back.origin + back.pathname).toBe(REDIRECT_URI);
  return { flowCookie: `serval_oidc=${flow!.value}`, back, authorizationUrl };
}

export async function callback(back: URL, flowCookie: string | null): Promise<ApiResponse> {
  return world.h.get(back.pathname + back.search, { ...anonymous, headers: flowCookie ? { Cookie: flowCookie } : {} });
}

export async function signInWithSso(account: string): Promise<ApiResponse> {
  const { flowCookie, back } = await toProviderAndBack(account);
  return callback(back, flowCookie);
}

/** The session a successful callback gave: the cookie it set and the secret in the fragment, as the console sends them. */
export function sessionFrom(res: ApiResponse): Record<string, string> {
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/^\/#session=sss_[A-Za-z0-9_-]{43}$/);
  const cookie = setCookie(res.headers, 'serval_session');
  expect(cookie, 'the session cookie is set').toBeDefined();
  return { Cookie: `serval_session=${cookie!.value}`, 'X-Serval-Session': decodeURIComponent(location.slice('/#session='.length)) };
}

/** A refusal: to the sign-in page with the reason, and no session cookie. */
export function expectRefused(res: ApiResponse, code: string) {
  expect({ status: res.status, location: res.headers.get('location') }).toEqual({ status: 302, location: `/sign-in?error=${code}` });
  expect(setCookie(res.headers, 'serval_session')).toBeUndefined();
}

/** Why the backend refused, as its log says (for whoever runs it: the browser only learns the code). */
export function refusalReasons(): string[] {
  return world.h.logLines
    .map((l) => JSON.parse(l))
    .filter((l) => l.msg === 'single sign-on did not sign anyone in')
    .map((l) => l.reason);
}

export async function sessionCount(): Promise<number> {
  const [row] = await world.h.sql<{ n: number | string }>('select count(*) as n from sessions');
  return Number(row.n);
}
