/**
 * The browser's side of passkeys (@simplewebauthn/browser), behind a seam: the pages take these two
 * functions as a prop, so that tests without WebAuthn (happy-dom) can pass their own.
 */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { clientError, type ServalError } from '../../ui/errors';

export type WebAuthn = { startAuthentication: typeof startAuthentication; startRegistration: typeof startRegistration };

export const browserWebAuthn: WebAuthn = { startAuthentication, startRegistration };

/** What the browser's refusal means for the person: they closed the prompt, or passkeys can't work here. */
export function passkeyError(e: unknown): ServalError {
  const error = e as { name?: string; code?: string; message?: string } | null;
  if (error?.name === 'NotAllowedError' || error?.name === 'AbortError' || error?.code === 'ERROR_CEREMONY_ABORTED') {
    return clientError('passkey_cancelled');
  }
  return clientError('passkey_unavailable', error?.message ? { message: `This browser could not use a passkey here: ${error.message}` } : {});
}
