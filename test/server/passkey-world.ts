/**
 * What the passkey tests share: a backend on a clock the test moves (its first admin paired), a
 * software authenticator (./software-authenticator.ts), and the ceremonies as the console runs
 * them — invite, register, sign in — with the checks that read the answers.
 */
import { expect } from 'vitest';
import { type ApiResponse, type Harness, startHarness } from './harness.js';
import { SoftwareAuthenticator } from './software-authenticator.js';

/** The console's public origin for a backend on loopback with no SERVAL_PUBLIC_URL (in-process requests carry no port). */
export const ORIGIN = 'http://localhost:8787';
export const HOUR = 3_600_000;
/** No credential: the passkey routes are public. */
export const anonymous = { token: null };

export type PasskeyWorld = Awaited<ReturnType<typeof startPasskeyWorld>>;
type Ceremony = { origin?: string; rpId?: string };

/** `publicUrl`: SERVAL_PUBLIC_URL, the console's public origin (default: none, so ORIGIN on loopback). */
export async function startPasskeyWorld(options: { publicUrl?: string } = {}) {
  const clock = { at: Date.parse('2026-03-02T09:00:00Z') };
  const origin = options.publicUrl ?? ORIGIN;
  const h: Harness = await startHarness({ now: () => new Date(clock.at), env: options.publicUrl ? { SERVAL_PUBLIC_URL: options.publicUrl } : {} });
  await h.pair('Admin browser'); // the first pairing: Owner, an admin
  const authenticator = new SoftwareAuthenticator();

  const world = {
    h,
    clock,
    authenticator,
    /** Where the console is: where the browser says the ceremonies happen. */
    origin,

    /** An admin adds a person and makes an invite link for them: the person's id and the link's token. */
    async invitePerson(name = 'Ann Lee', role = 'member'): Promise<{ personId: string; token: string }> {
      const created = await h.post('/api/people', { name, email: `${name.split(' ')[0].toLowerCase()}@example.com`, role });
      expect(created.status).toBe(201);
      const invite = await h.post(`/api/people/${created.body.person.id}/invites`, {});
      expect(invite.status).toBe(201);
      expect(invite.body.url.startsWith(`${origin}/invite#inv_`)).toBe(true);
      return { personId: created.body.person.id, token: new URL(invite.body.url).hash.slice(1) };
    },

    startRegistration: (token: string) => h.post('/api/session/passkey/registration', { invite: token }, anonymous),

    finishRegistration: (flow: string, response: unknown) => h.post('/api/session/passkey/registration/verify', { flow, response }, anonymous),

    /** The whole registration: options, the authenticator's answer, verification. */
    async register(token: string, ceremony: Ceremony = {}): Promise<ApiResponse> {
      const start = await world.startRegistration(token);
      expect(start.status).toBe(200);
      const response = authenticator.create(start.body.options, { origin: ceremony.origin ?? origin, rpId: ceremony.rpId });
      return world.finishRegistration(start.body.flow, response);
    },

    async signInOptions(): Promise<{ flow: string; options: any }> {
      const start = await h.post('/api/session/passkey/options', {}, anonymous);
      expect(start.status).toBe(200);
      return start.body;
    },

    finishSignIn: (flow: string, response: unknown) => h.post('/api/session/passkey', { flow, response }, anonymous),

    async signIn(ceremony: Ceremony & { counter?: number } = {}): Promise<ApiResponse> {
      const { flow, options } = await world.signInOptions();
      return world.finishSignIn(flow, authenticator.get(options, { origin: ceremony.origin ?? origin, rpId: ceremony.rpId, counter: ceremony.counter }));
    },

    passkeysOf: (personId: string) => h.runtime.repos.passkeys.listFor(personId),

    /** Refused as passkey_invalid, and for the reason the test means (the log says why; the answer never does). */
    expectRefused(res: ApiResponse, reason: RegExp) {
      expectError(res, 401, 'passkey_invalid');
      const refusals = h.logLines.filter((line) => line.includes('passkey ceremony refused'));
      expect(JSON.parse(refusals.at(-1) ?? '{}').reason).toMatch(reason);
    },
  };
  return world;
}

export function expectError(res: ApiResponse, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
}

/** The session's two halves as the console sends them: the cookie the answer set, and the secret as a header. */
export function sessionHeaders(res: ApiResponse): Record<string, string> {
  const cookie = /^([^=;]+=[^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  expect(cookie, 'a session cookie is set').toBeDefined();
  return { Cookie: cookie!, 'X-Serval-Session': res.body.secret };
}
