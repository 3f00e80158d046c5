/**
 * The console's side of the REST API: the shared client (ui/api-client.ts), on the page's own
 * origin with the session cookie (HttpOnly, so never seen here). The browser adds the Origin
 * header the backend's CSRF check wants. Each call resolves to the checked answer or throws a
 * ConsoleApiError carrying the error to show.
 */
import type { SessionDevice } from '../../shared/api.js';
import { createApiClient, type ApiReply } from '../../ui/api-client';
import type { ServalError } from '../../ui/errors';

export type { SessionDevice };

export class ConsoleApiError extends Error {
  constructor(
    readonly error: ServalError,
    readonly status: number | null,
  ) {
    super(error.message);
  }
}

export type ConsoleApi = ReturnType<typeof createConsoleApi>;

/** The console is served by the backend itself: its own words for the two failures a client sees. */
function inConsoleWords(error: ServalError): ServalError {
  if (error.code === 'backend_unreachable') return { ...error, hint: 'Check that it is running (npm start), then reload this page.' };
  if (error.code === 'unexpected_response') return { ...error, hint: 'Reload this page: the backend may have been updated since it was opened.' };
  return error;
}

/** `fetchImpl` is the browser's fetch; tests pass a fake. `onUnauthorized` runs on any 401 but sign-in's. */
export function createConsoleApi(fetchImpl: typeof fetch = (...args) => fetch(...args), onUnauthorized: () => void = () => {}) {
  const client = createApiClient({ baseUrl: '', fetch: fetchImpl, credentials: 'same-origin' });

  async function answer<T>(reply: Promise<ApiReply<T>>, { signIn = false } = {}): Promise<T> {
    const settled = await reply;
    if (settled.ok) return settled.data;
    if (settled.status === 401 && !signIn) onUnauthorized();
    throw new ConsoleApiError(inConsoleWords(settled.error), settled.status);
  }

  return {
    session: () => answer(client.session()),
    signIn: (code: string) => answer(client.signIn(code), { signIn: true }),
    signOut: () => answer(client.signOut()),
    applications: () => answer(client.listApplications()),
    application: (id: string) => answer(client.getApplication(id)),
    createApplication: (name: string) => answer(client.createApplication(name)),
    saveStripeKey: (id: string, apiKey: string) => answer(client.putStripeKey(id, apiKey, 'manual')),
    recheckIntegration: (id: string) => answer(client.recheckIntegration(id)),
    removeIntegration: (id: string) => answer(client.removeIntegration(id)),
    devices: () => answer(client.listDevices()),
    revokeDevice: (id: string) => answer(client.revokeDevice(id)),
    audit: (limit: number) => answer(client.audit(limit)),
  };
}
