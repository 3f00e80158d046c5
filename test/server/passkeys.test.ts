/**
 * Registering a passkey from an invite link, through the real routes and the real WebAuthn
 * verification (@simplewebauthn/server) against a software authenticator, on both databases.
 * Signing in with it: passkey-sign-in.test.ts.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { relyingParty, userHandleOf } from '../../server/auth/passkey-ceremony.js';
import type { ApiResponse } from './harness.js';
import { anonymous, expectError, HOUR, ORIGIN, type PasskeyWorld, sessionHeaders, startPasskeyWorld } from './passkey-world.js';

let w: PasskeyWorld;

beforeEach(async () => {
  w = await startPasskeyWorld();
});

afterEach(async () => {
  await w.h.close();
});

describe('registering a passkey from an invite', () => {
  test('the invite names the person; the passkey is stored and audited, and the answer is a signed-in session', async () => {
    const { personId, token } = await w.invitePerson('Ann Lee', 'member');
    const start = await w.startRegistration(token);
    expect(start.status).toBe(200);
    expect(start.body.person).toEqual({ name: 'Ann Lee', role: 'member' });
    expect(start.body.options.rp).toEqual({ id: 'localhost', name: 'Serval' });
    expect(start.body.options.user).toMatchObject({ id: userHandleOf(personId), name: 'ann@example.com', displayName: 'Ann Lee' });
    expect(start.body.options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'preferred' });
    expect(start.body.options.excludeCredentials).toEqual([]);

    const response = w.authenticator.create(start.body.options, { origin: ORIGIN });
    const res = await w.finishRegistration(start.body.flow, response);
    expect(res.status).toBe(201);
    expect(res.body.person).toMatchObject({ id: personId, name: 'Ann Lee', role: 'member' });
    expect(res.body.session.id).toMatch(/^ses_/);

    const [passkey] = await w.passkeysOf(personId);
    expect(passkey).toMatchObject({ id: response.id, personId, counter: 0, transports: '["internal"]', lastUsedAt: null });
    const audit = await w.h.get('/api/audit');
    const added = audit.body.events.find((e: { action: string }) => e.action === 'passkey.added');
    expect(added).toMatchObject({ person: { id: personId, name: 'Ann Lee' }, deviceId: null, detail: { credentialId: response.id } });

    const me = await w.h.get('/api/me', { token: null, headers: sessionHeaders(res) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ person: { id: personId, name: 'Ann Lee' }, via: 'session' });
  });

  test('a second registration lists the first passkey in excludeCredentials', async () => {
    const { personId, token } = await w.invitePerson();
    expect((await w.register(token)).status).toBe(201);
    const second = await w.h.post(`/api/people/${personId}/invites`, {});
    const start = await w.startRegistration(new URL(second.body.url).hash.slice(1));
    expect(start.body.options.excludeCredentials).toEqual([{ id: (await w.passkeysOf(personId))[0].id, type: 'public-key', transports: ['internal'] }]);
  });

  test('the invite is single use: once used, it starts nothing more', async () => {
    const { personId, token } = await w.invitePerson();
    expect((await w.register(token)).status).toBe(201);
    expectError(await w.startRegistration(token), 401, 'invite_invalid');
    expect(await w.passkeysOf(personId)).toHaveLength(1);
  });

  test('two ceremonies started from one invite: the second to finish is refused and stores no passkey', async () => {
    const { personId, token } = await w.invitePerson();
    const first = await w.startRegistration(token);
    const second = await w.startRegistration(token);
    const finish = (start: ApiResponse) => w.finishRegistration(start.body.flow, w.authenticator.create(start.body.options, { origin: ORIGIN }));
    expect((await finish(first)).status).toBe(201);
    expectError(await finish(second), 401, 'invite_invalid');
    expect(await w.passkeysOf(personId)).toHaveLength(1);
  });

  test('an expired invite is refused, and one that expires during the ceremony stores nothing', async () => {
    const { personId, token } = await w.invitePerson();
    w.clock.at += 72 * HOUR - 60_000;
    const start = await w.startRegistration(token);
    expect(start.status).toBe(200);
    w.clock.at += 2 * 60_000; // the flow (5 min) is still live; the invite (72 h) is not
    const response = w.authenticator.create(start.body.options, { origin: ORIGIN });
    expectError(await w.finishRegistration(start.body.flow, response), 401, 'invite_invalid');
    expectError(await w.startRegistration(token), 401, 'invite_invalid');
    expect(await w.passkeysOf(personId)).toEqual([]);
  });

  test('an unknown invite token is refused', async () => {
    expectError(await w.startRegistration('inv_nothing-of-the-kind'), 401, 'invite_invalid');
  });

  test('a credential made for another origin or relying party is refused, and the invite stays usable', async () => {
    const { personId, token } = await w.invitePerson();
    w.expectRefused(await w.register(token, { origin: 'http://localhost:9999' }), /origin "http:\/\/localhost:9999"/);
    w.expectRefused(await w.register(token, { origin: 'https://evil.example' }), /origin "https:\/\/evil.example"/);
    w.expectRefused(await w.register(token, { rpId: 'evil.example' }), /RP ID/);
    expect(await w.passkeysOf(personId)).toEqual([]);
    expect((await w.register(token)).status).toBe(201);
  });

  test('a wrong or reused flow is refused', async () => {
    const { personId, token } = await w.invitePerson();
    const start = await w.startRegistration(token);
    const response = w.authenticator.create(start.body.options, { origin: ORIGIN });
    const verify = (flow: string) => w.finishRegistration(flow, response);
    w.expectRefused(await verify('not-a-flow'), /no such flow/);
    // A sign-in flow is not a registration flow (and is used up by trying).
    w.expectRefused(await verify((await w.signInOptions()).flow), /passkey_sign_in flow/);
    expect((await verify(start.body.flow)).status).toBe(201);
    w.expectRefused(await verify(start.body.flow), /no such flow/);
    expect(await w.passkeysOf(personId)).toHaveLength(1);
  });

  test('a flow older than five minutes is refused', async () => {
    const { token } = await w.invitePerson();
    const start = await w.startRegistration(token);
    w.clock.at += 5 * 60_000 + 1;
    const response = w.authenticator.create(start.body.options, { origin: ORIGIN });
    w.expectRefused(await w.finishRegistration(start.body.flow, response), /no such flow/);
  });

  test('an invite for a person disabled since is refused', async () => {
    const { personId, token } = await w.invitePerson();
    const start = await w.startRegistration(token);
    expect((await w.h.patch(`/api/people/${personId}`, { disabled: true })).status).toBe(200);
    const response = w.authenticator.create(start.body.options, { origin: ORIGIN });
    expectError(await w.finishRegistration(start.body.flow, response), 401, 'invite_invalid');
    expectError(await w.startRegistration(token), 401, 'invite_invalid');
    expect(await w.passkeysOf(personId)).toEqual([]);
  });
});

describe('bad input', () => {
  test('malformed bodies get validation_failed and start nothing', async () => {
    const { token } = await w.invitePerson();
    const start = await w.startRegistration(token);
    const response = w.authenticator.create(start.body.options, { origin: ORIGIN }) as any;
    const cases: Array<[string, unknown]> = [
      ['/api/session/passkey/registration', {}],
      ['/api/session/passkey/registration', { invite: 42 }],
      ['/api/session/passkey/registration/verify', { flow: start.body.flow }],
      ['/api/session/passkey/registration/verify', { flow: start.body.flow, response: { ...response, type: 'password' } }],
      ['/api/session/passkey/registration/verify', { flow: start.body.flow, response: { ...response, id: 'not base64url!' } }],
      ['/api/session/passkey', { flow: 'x', response: { id: 'abc' } }],
    ];
    for (const [url, body] of cases) expectError(await w.h.post(url, body, anonymous), 400, 'validation_failed');
    // The flow was not used up by the refused bodies.
    expect((await w.finishRegistration(start.body.flow, response)).status).toBe(201);
  });

  test('an attestationObject that is not CBOR is refused as passkey_invalid', async () => {
    const { token } = await w.invitePerson();
    const start = await w.startRegistration(token);
    const response = w.authenticator.create(start.body.options, { origin: ORIGIN }) as any;
    response.response.attestationObject = Buffer.from('not cbor').toString('base64url');
    expectError(await w.finishRegistration(start.body.flow, response), 401, 'passkey_invalid');
  });
});

test('the invite token, flow handles and session secret never reach the log', async () => {
  const { token } = await w.invitePerson();
  const start = await w.startRegistration(token);
  const res = await w.finishRegistration(start.body.flow, w.authenticator.create(start.body.options, { origin: ORIGIN }));
  expect(res.status).toBe(201);
  expectError(await w.finishRegistration('refused-flow-handle', w.authenticator.create(start.body.options, { origin: ORIGIN })), 401, 'passkey_invalid');
  const log = w.h.logLines.join('\n');
  expect(log).toContain('passkey ceremony refused');
  for (const secret of [token, start.body.flow, res.body.secret, 'refused-flow-handle']) expect(log).not.toContain(secret);
});

test('the relying party is the public origin’s host name', () => {
  expect(relyingParty('https://serval.example.com')).toEqual({ origin: 'https://serval.example.com', rpID: 'serval.example.com' });
  expect(relyingParty('http://localhost:8787')).toEqual({ origin: 'http://localhost:8787', rpID: 'localhost' });
});

test('the routes are in the OpenAPI document, public', async () => {
  const doc = (await w.h.get('/api/openapi.json', { token: null })).body;
  for (const path of ['/session/passkey/registration', '/session/passkey/registration/verify', '/session/passkey/options', '/session/passkey']) {
    expect(doc.paths[path]?.post, path).toBeDefined();
    expect(doc.paths[path].post.security, path).toBeUndefined();
  }
});

describe('with SERVAL_PUBLIC_URL', () => {
  test('the relying party is its host name, and a passkey made at the loopback address is refused', async () => {
    const world = await startPasskeyWorld({ publicUrl: 'https://serval.example.com' });
    try {
      const { token } = await world.invitePerson();
      const start = await world.startRegistration(token);
      expect(start.body.options.rp.id).toBe('serval.example.com');
      world.expectRefused(await world.register(token, { origin: ORIGIN, rpId: 'localhost' }), /origin "http:\/\/localhost:8787"/);
      expect((await world.register(token)).status).toBe(201);
      expect((await world.signIn()).status).toBe(201);
      world.expectRefused(await world.signIn({ origin: ORIGIN, rpId: 'localhost' }), /origin "http:\/\/localhost:8787"/);
    } finally {
      await world.h.close();
    }
  });
});
