/**
 * The Serval REST API as the background worker calls it: the shared client (ui/api-client.ts)
 * with the device token, a time limit on every request, and one rule of the extension's own:
 * nothing is ever sent to a plain http:// URL off this computer.
 */
import { createApiClient, type ApiClient } from '../../ui/api-client';
import { clientError } from '../../ui/errors';
import { isSecureBackendUrl } from '../pairing/backend-url';

export type BackendClientOptions = { baseUrl: string; token?: string | null; fetch?: typeof fetch };

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Sending or re-checking a key waits for the backend's round trip to Stripe. */
export const KEY_CHECK_TIMEOUT_MS = 30_000;

export function createBackendClient(options: BackendClientOptions): ApiClient {
  return createApiClient({
    ...options,
    timeouts: { request: DEFAULT_TIMEOUT_MS, keyCheck: KEY_CHECK_TIMEOUT_MS },
    // Pairing refuses such a URL already; this holds even for one that storage somehow holds: no
    // pairing code, token or Stripe key ever goes over plain http:// off this computer.
    refusal: isSecureBackendUrl(options.baseUrl) ? null : clientError('insecure_backend_url'),
  });
}
