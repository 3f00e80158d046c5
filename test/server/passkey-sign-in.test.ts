/**
 * Signing in to the console with a passkey (a discoverable credential registered from an invite),
 * through the real routes and the real WebAuthn verification against a software authenticator,
 * on both databases.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { userHandleOf } from '../../server/auth/passkey-ceremony.js';
import { SIGN_IN_BRAKE } from '../../server/auth/passkeys.js';
import { expectError, ORIGIN, type PasskeyWorld, sessionHeaders, startPasskeyWorld } from './passkey-world.js';
import { SoftwareAuthenticator } from './software-authenticator.js';

let w: PasskeyWorld;

beforeEach(async () => {
  w = await startPasskeyWorld();
});

afterEach(async () => {
  await w.h.close();
});

describe('signing in with a passkey', () => {
  let personId: string;
  beforeEach(async () => {
    const invited = await w.invitePerson('Ann Lee', 'viewer');
    personId = invited.personId;
    expect((await w.register(invited.token)).status).toBe(201);
  });

  test('a discoverable credential signs its person in; the session works with cookie and header together', async () => {
    const { options } = await w.signInOptions();
    expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'preferred' });
    expect(options.allowCredentials ?? []).toEqual([]);

    const res = await w.signIn();
    expect(res.status).toBe(201);
    expect(res.body.person).toMatchObject({ id: personId, role: 'viewer' });
    expect(res.headers.get('set-cookie')).toMatch(/^serval_session=[A-Za-z0-9_-]{43}; .*HttpOnly/);
    const headers = sessionHeaders(res);
    const me = await w.h.get('/api/me', { token: null, headers });
    expect(me.body).toMatchObject({ person: { id: personId }, via: 'session' });
    expect((await w.h.get('/api/me', { token: null, headers: { Cookie: headers.Cookie } })).status).toBe(401);
    expect((await w.h.get('/api/me', { token: null, headers: { 'X-Serval-Session': headers['X-Serval-Session'] } })).status).toBe(401);
  });

  test('the signature counter is kept, and an assertion from a cloned authenticator (an old counter) is refused', async () => {
    w.clock.at += 60_000;
    expect((await w.signIn()).status).toBe(201);
    expect((await w.signIn()).status).toBe(201);
    const [passkey] = await w.passkeysOf(personId);
    expect(passkey.counter).toBe(2);
    expect(passkey.lastUsedAt).toBe(new Date(w.clock.at).toISOString());
    w.expectRefused(await w.signIn({ counter: 2 }), /counter value 2 was lower than expected 2/);
    expect((await w.passkeysOf(personId))[0].counter).toBe(2);
  });

  test('a credential this backend never registered is refused', async () => {
    const stranger = new SoftwareAuthenticator();
    stranger.create(
      { challenge: 'x', rp: { id: 'localhost', name: 'Serval' }, user: { id: userHandleOf('per_stranger'), name: 'x', displayName: 'x' } },
      { origin: ORIGIN },
    );
    const { flow, options } = await w.signInOptions();
    const response = stranger.get(options, { origin: ORIGIN });
    w.expectRefused(await w.finishSignIn(flow, response), /unknown credential/);
  });

  test('an assertion for another origin or relying party is refused', async () => {
    w.expectRefused(await w.signIn({ origin: 'https://evil.example' }), /origin "https:\/\/evil.example"/);
    w.expectRefused(await w.signIn({ rpId: 'evil.example' }), /RP ID/);
    expect((await w.signIn()).status).toBe(201);
  });

  test('a wrong or reused flow is refused', async () => {
    const { flow, options } = await w.signInOptions();
    const response = w.authenticator.get(options, { origin: ORIGIN });
    w.expectRefused(await w.finishSignIn('not-a-flow', response), /no such flow/);
    expect((await w.finishSignIn(flow, response)).status).toBe(201);
    w.expectRefused(await w.finishSignIn(flow, response), /no such flow/);
  });

  test('an assertion whose user handle names someone else is refused', async () => {
    const { flow, options } = await w.signInOptions();
    const response = w.authenticator.get(options, { origin: ORIGIN }) as { response: { userHandle: string } };
    response.response.userHandle = userHandleOf('per_owner');
    w.expectRefused(await w.finishSignIn(flow, response), /user handle/);
  });

  test("a disabled person's passkey is refused", async () => {
    expect((await w.h.patch(`/api/people/${personId}`, { disabled: true })).status).toBe(200);
    w.expectRefused(await w.signIn(), /disabled/);
  });

  test('failures count in the sign-in brake: past the limit even a good passkey gets 429 until the window has passed', async () => {
    for (let i = 0; i < SIGN_IN_BRAKE.maxFailures; i++) {
      const { options } = await w.signInOptions();
      expectError(await w.finishSignIn(`wrong-${i}`, w.authenticator.get(options, { origin: ORIGIN })), 401, 'passkey_invalid');
    }
    const braked = await w.signIn();
    expectError(braked, 429, 'sign_in_rate_limited');
    expect(Number(braked.headers.get('retry-after'))).toBeGreaterThan(0);
    expectError(await w.startRegistration('inv_whatever'), 429, 'sign_in_rate_limited');
    w.clock.at += SIGN_IN_BRAKE.windowMs + 1000;
    expect((await w.signIn()).status).toBe(201);
  });
});
