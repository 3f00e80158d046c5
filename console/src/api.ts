/**
 * The console's client for the REST API: same-origin fetch with the session cookie (HttpOnly, so
 * never seen here). The browser adds the Origin header the backend's CSRF check wants. Errors
 * come back as the API's `{error:{code,message,hint?}}`, thrown as ConsoleApiError.
 */
import type { Application, AuditEvent, Device, Integration, Validation } from '../../shared/api.js';
import type { ServalError } from '../../ui/errors';

export class ConsoleApiError extends Error {
  constructor(readonly error: ServalError, readonly status: number) {
    super(error.message);
  }
}

export type SessionDevice = { id: string; name: string };
export type IntegrationWithValidation = { integration: Integration; validation: Validation };

export type ConsoleApi = ReturnType<typeof createConsoleApi>;

const UNREACHABLE: ServalError = {
  code: 'backend_unreachable',
  message: 'The Serval backend could not be reached.',
  hint: 'Check that it is running (npm start), then reload this page.',
};

/** `fetchImpl` is the browser's fetch; tests pass a fake. `onUnauthorized` runs on any 401 but sign-in's. */
export function createConsoleApi(fetchImpl: typeof fetch = (...args) => fetch(...args), onUnauthorized: () => void = () => {}) {
  async function call<T>(method: string, path: string, body?: unknown, { signIn = false } = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(`/api${path}`, {
        method,
        credentials: 'same-origin',
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ConsoleApiError(UNREACHABLE, 0);
    }
    if (response.status === 204) return undefined as T;
    const parsed: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const error = (parsed as { error?: ServalError } | null)?.error ?? { code: 'unexpected_response', message: `The backend answered ${response.status}.` };
      if (response.status === 401 && !signIn) onUnauthorized();
      throw new ConsoleApiError(error, response.status);
    }
    return parsed as T;
  }

  return {
    session: () => call<{ device: SessionDevice }>('GET', '/session').then((r) => r.device),
    signIn: (code: string) => call<{ device: SessionDevice }>('POST', '/session', { code }, { signIn: true }).then((r) => r.device),
    signOut: () => call<void>('DELETE', '/session'),
    applications: () => call<{ applications: Application[] }>('GET', '/applications').then((r) => r.applications),
    application: (id: string) => call<{ application: Application }>('GET', `/applications/${encodeURIComponent(id)}`).then((r) => r.application),
    createApplication: (name: string) => call<{ application: Application }>('POST', '/applications', { name }).then((r) => r.application),
    saveStripeKey: (id: string, apiKey: string) =>
      call<IntegrationWithValidation>('PUT', `/applications/${encodeURIComponent(id)}/integrations/stripe`, { apiKey, source: 'manual' }),
    recheckStripe: (id: string) => call<IntegrationWithValidation>('POST', `/applications/${encodeURIComponent(id)}/integrations/stripe/validate`),
    removeStripe: (id: string) => call<void>('DELETE', `/applications/${encodeURIComponent(id)}/integrations/stripe`),
    devices: () => call<{ devices: Device[] }>('GET', '/devices').then((r) => r.devices),
    revokeDevice: (id: string) => call<void>('DELETE', `/devices/${encodeURIComponent(id)}`),
    audit: (limit: number) => call<{ events: AuditEvent[] }>('GET', `/audit?limit=${limit}`).then((r) => r.events),
  };
}
