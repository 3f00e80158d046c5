/**
 * Errors as the extension and the console show them. Backend errors arrive as the API's
 * `{error:{code,message,hint?,details?}}` and keep their code, message and hint (falling back to
 * the shared catalogue's hint). A few situations only a client can see get codes of their own
 * here: the backend cannot be reached or answers outside the contract, the extension is not
 * paired, and so on.
 */
import { ERRORS, isErrorCode } from '../shared/errors.js';

export type ServalError = { code: string; message: string; hint?: string; details?: unknown };

export const CLIENT_ERRORS = {
  backend_unreachable: {
    message: 'The Serval backend could not be reached.',
    hint: 'Check that it is running (npm start) and that the Backend URL in the Serval options is right, then try again.',
  },
  not_paired: {
    message: 'This browser is not paired with a Serval backend yet.',
    hint: 'Open the Serval options, enter the Backend URL and a pairing code (npm run pair), and click Connect.',
  },
  host_permission_denied: {
    message: 'Serval was not allowed to reach that backend.',
    hint: 'Click Connect again and allow access when the browser asks.',
  },
  invalid_backend_url: {
    message: 'That is not a valid Backend URL.',
    hint: 'Use the address the Serval backend prints at start, for example http://127.0.0.1:8787.',
  },
  insecure_backend_url: {
    message: "Use https:// for a backend that isn't on this computer: over http:// the Stripe key would cross the network in clear.",
    hint: 'Plain http:// is only for a backend on this computer (127.0.0.1, localhost or [::1]). Serve the backend behind a TLS proxy and enter its https:// address.',
  },
  unexpected_response: {
    message: 'The Serval backend answered in a way this extension does not understand.',
    hint: 'Make sure the backend and the extension are the same version.',
  },
  extension_unavailable: {
    message: 'The Serval extension is not responding.',
    hint: 'The extension may have been updated or reloaded. Reload this page and try again.',
  },
  passkey_cancelled: {
    message: 'The passkey prompt was closed or timed out: nothing was signed in.',
    hint: 'Try again, and choose your passkey when the browser asks.',
  },
  passkey_unavailable: {
    message: 'This browser could not use a passkey here.',
    hint: 'Use a browser with passkeys (WebAuthn), on the address this page names, or sign in another way.',
  },
  no_tab: { message: 'No tab is open in front.' },
  not_on_dashboard: { message: 'Open the API keys page of the Stripe Dashboard first.' },
  not_allowed: { message: 'This request is not allowed from here.' },
  offer_gone: {
    message: 'This offer is no longer available.',
    hint: 'Reveal the key again on the Stripe Dashboard (or ask the Serval popup to offer the page’s keys again).',
  },
  bad_request: { message: 'The extension sent a message it does not understand.' },
} as const satisfies Record<string, { message: string; hint?: string }>;

export type ClientErrorCode = keyof typeof CLIENT_ERRORS;

export function clientError(code: ClientErrorCode, overrides: Partial<ServalError> = {}): ServalError {
  const spec: { message: string; hint?: string } = CLIENT_ERRORS[code];
  const hint = overrides.hint ?? spec.hint;
  return {
    code,
    message: overrides.message ?? spec.message,
    ...(hint ? { hint } : {}),
    ...(overrides.details !== undefined ? { details: overrides.details } : {}),
  };
}

/** The hint to show: the one the backend sent, else the catalogue's for that code. */
export function hintFor(error: ServalError): string | undefined {
  if (error.hint) return error.hint;
  if (isErrorCode(error.code)) return (ERRORS[error.code] as { hint?: string }).hint;
  if (Object.hasOwn(CLIENT_ERRORS, error.code)) return (CLIENT_ERRORS[error.code as ClientErrorCode] as { hint?: string }).hint;
  return undefined;
}

/** Errors worth a "Try again": nothing was changed and the cause may pass. */
export function isRetryable(error: ServalError): boolean {
  return ['backend_unreachable', 'stripe_unavailable', 'stripe_rate_limited', 'internal_error', 'extension_unavailable'].includes(error.code);
}
