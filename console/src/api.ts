/**
 * The console's side of the REST API: the shared client (ui/api-client.ts), on the page's own
 * origin with both halves of the session: the cookie (HttpOnly, so never seen here) and the
 * secret from this origin's storage (session-secret.ts). The browser adds the Origin header the
 * backend's CSRF check wants. Each call resolves to the checked answer or throws a
 * ConsoleApiError carrying the error to show. Every way of signing in keeps the new secret;
 * signing out and any 401 forget it.
 */
import type { Person, SignInResponse } from '../../shared/api.js';
import { createApiClient, type ApiReply, type ApplicationChange, type NewPerson, type PersonChange } from '../../ui/api-client';
import type { ServalError } from '../../ui/errors';
import { forgetSecret, keepSecret, readSecret } from './session-secret';

export class ConsoleApiError extends Error {
  constructor(
    readonly error: ServalError,
    readonly status: number | null,
  ) {
    super(error.message);
  }
}

/** The error to show for whatever a call threw. */
export function errorOf(e: unknown): ServalError {
  return e instanceof ConsoleApiError ? e.error : { code: 'internal_error', message: String(e) };
}

export type ConsoleApi = ReturnType<typeof createConsoleApi>;

/** The console is served by the backend itself: its own words for the two failures a client sees. */
function inConsoleWords(error: ServalError): ServalError {
  if (error.code === 'backend_unreachable') return { ...error, hint: 'Check that it is running (npm start), then reload this page.' };
  if (error.code === 'unexpected_response') return { ...error, hint: 'Reload this page: the backend may have been updated since it was opened.' };
  return error;
}

/**
 * `fetchImpl` is the browser's fetch; tests pass a fake. `onUnauthorized` runs on any 401 but
 * a sign-in's own (a wrong code, passkey or invite is not the end of a session).
 */
export function createConsoleApi(fetchImpl: typeof fetch = (...args) => fetch(...args), onUnauthorized: () => void = () => {}) {
  const client = createApiClient({ baseUrl: '', fetch: fetchImpl, credentials: 'same-origin', sessionSecret: readSecret });

  async function answer<T>(reply: Promise<ApiReply<T>>, { signIn = false } = {}): Promise<T> {
    const settled = await reply;
    if (settled.ok) return settled.data;
    if (settled.status === 401 && !signIn) {
      forgetSecret();
      onUnauthorized();
    }
    throw new ConsoleApiError(inConsoleWords(settled.error), settled.status);
  }

  /** A sign-in's answer: the secret is kept for the next requests, the person goes on. */
  async function signedIn(reply: Promise<ApiReply<SignInResponse>>): Promise<Person> {
    const started = await answer(reply, { signIn: true });
    keepSecret(started.secret);
    return started.person;
  }

  return {
    me: () => answer(client.me()),
    signInMethods: () => answer(client.signInMethods(), { signIn: true }),
    signInWithCode: (code: string) => signedIn(client.signInWithCode(code)),
    passkeySignInStart: () => answer(client.passkeySignInStart(), { signIn: true }),
    signInWithPasskey: (flow: string, response: unknown) => signedIn(client.signInWithPasskey(flow, response)),
    passkeyRegistrationStart: (invite: string) => answer(client.passkeyRegistrationStart(invite), { signIn: true }),
    passkeyRegistrationFinish: (flow: string, response: unknown) => signedIn(client.passkeyRegistrationFinish(flow, response)),
    /** Ends the session on the server; the secret is forgotten whatever the answer. */
    async signOut() {
      try {
        await answer(client.signOut(), { signIn: true });
      } finally {
        forgetSecret();
      }
    },
    applications: () => answer(client.listApplications()),
    application: (id: string) => answer(client.getApplication(id)),
    createApplication: (name: string) => answer(client.createApplication(name)),
    updateApplication: (id: string, change: ApplicationChange) => answer(client.updateApplication(id, change)),
    saveStripeKey: (id: string, apiKey: string) => answer(client.putStripeKey(id, apiKey, 'manual')),
    recheckIntegration: (id: string) => answer(client.recheckIntegration(id)),
    removeIntegration: (id: string) => answer(client.removeIntegration(id)),
    devices: () => answer(client.listDevices()),
    revokeDevice: (id: string) => answer(client.revokeDevice(id)),
    sessions: () => answer(client.listSessions()),
    revokeSession: (id: string) => answer(client.revokeSession(id)),
    createPairingCode: (personId?: string) => answer(client.createPairingCode(personId)),
    people: () => answer(client.listPeople()),
    createPerson: (person: NewPerson) => answer(client.createPerson(person)),
    updatePerson: (id: string, change: PersonChange) => answer(client.updatePerson(id, change)),
    createInvite: (personId: string) => answer(client.createInvite(personId)),
    audit: (limit: number) => answer(client.audit(limit)),
    alertEndpoints: () => answer(client.listAlertEndpoints()),
    createAlertEndpoint: (endpoint: Parameters<typeof client.createAlertEndpoint>[0]) => answer(client.createAlertEndpoint(endpoint)),
    removeAlertEndpoint: (id: string) => answer(client.removeAlertEndpoint(id)),
    alertDeliveries: (id: string) => answer(client.alertDeliveries(id)),
  };
}
