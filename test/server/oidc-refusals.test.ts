/**
 * SSO answers that must sign no one in, from a real OpenID provider on loopback: a tampered
 * state, a callback used twice or from another browser, a nonce that isn't this sign-in's, a
 * code from another provider (a mix-up), a provider that names another issuer; and the sign-in
 * brake. On both databases.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { SIGN_IN_BRAKE } from '../../server/auth/passkeys.js';
import { setCookie, signInAtProvider } from '../oidc-provider/dance.js';
import {
  addPerson,
  anonymous,
  callback,
  expectRefused,
  refusalReasons,
  sessionCount,
  sessionFrom,
  ssoEnv,
  toProviderAndBack,
  useOidcWorld,
  world,
} from './oidc-world.js';

useOidcWorld();

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
    const [row] = await world.h.sql<{ id_hash: string; data: string }>('select id_hash, data from sign_in_flows');
    const data = JSON.parse(row.data);
    await world.h.sql('update sign_in_flows set data = ? where id_hash = ?', [JSON.stringify({ ...data, nonce: `${data.nonce}x` }), row.id_hash]);
    expectRefused(await callback(back, flowCookie), 'sso_failed');
    expect(await sessionCount()).toBe(0);
    expect(refusalReasons()).toEqual([expect.stringContaining('unexpected ID Token "nonce" claim value')]);
  });

  test('an answer from another provider than the configured issuer (a mix-up)', async () => {
    const start = await world.h.get('/api/session/oidc/start', anonymous);
    const flowCookie = `serval_oidc=${setCookie(start.headers, 'serval_oidc')!.value}`;
    // The same request, sent to the other provider, which knows the same client and redirect URI.
    const elsewhere = new URL(start.headers.get('location')!);
    elsewhere.host = new URL(world.otherProvider.url).host;
    const back = await signInAtProvider(elsewhere.href, 'ada');
    expect(back.searchParams.get('iss')).toBe(world.otherProvider.issuer);
    expectRefused(await callback(back, flowCookie), 'sso_failed');
    expect(await sessionCount()).toBe(0);
    expect(refusalReasons()).toEqual([expect.stringContaining('unexpected "iss" (issuer) response parameter value')]);
  });

  test('a provider whose metadata names another issuer is refused at discovery', async () => {
    await world.h.restart(ssoEnv(world.liarProvider.url)); // it says it is http://localhost:<port>
    const start = await world.h.get('/api/session/oidc/start', anonymous);
    expectRefused(start, 'sso_failed');
    expect(setCookie(start.headers, 'serval_oidc')).toBeUndefined();
    expect(await world.h.sql('select * from sign_in_flows')).toEqual([]);
    expect(refusalReasons()).toEqual([expect.stringMatching(/^discovery of .* failed: .*metadata issuer does not match the expected issuer/)]);
  });

  test('failures count in the sign-in brake, and past it even a good answer waits', async () => {
    for (let i = 0; i < SIGN_IN_BRAKE.maxFailures; i++) expectRefused(await world.h.get('/api/session/oidc/callback?code=x&state=y', anonymous), 'sso_failed');
    const { flowCookie, back } = await toProviderAndBack('ada');
    expectRefused(await callback(back, flowCookie), 'sign_in_rate_limited');
    expect(await sessionCount()).toBe(0);
  });
});
