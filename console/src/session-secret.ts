/**
 * The console session's secret: the half of the credential that the HttpOnly cookie is not. It
 * lives in this origin's localStorage under `serval.session` (a page on another port of the same
 * host receives the cookie, but cannot read this origin's storage) and goes out as the
 * X-Serval-Session header on every API request. Signing in keeps it; signing out, or any 401,
 * forgets it. Single sign-on hands it over in the URL fragment (`/#session=<secret>`, never sent
 * to a server), which is moved into storage and out of the address bar and the history at once.
 */

export const SESSION_STORAGE_KEY = 'serval.session';

/** localStorage, or null where the browser refuses it (storage disabled): the console then can't stay signed in. */
function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function readSecret(): string | null {
  try {
    return storage()?.getItem(SESSION_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

export function keepSecret(secret: string): void {
  try {
    storage()?.setItem(SESSION_STORAGE_KEY, secret);
  } catch {
    // Storage full or refused: the session can't be used from this page, and the next request says so (401).
  }
}

export function forgetSecret(): void {
  try {
    storage()?.removeItem(SESSION_STORAGE_KEY);
  } catch {
    // Nothing kept, nothing to forget.
  }
}

/** The secret in a `#session=<secret>` fragment, or null when the fragment is anything else. */
export function secretInFragment(hash: string): string | null {
  const match = /^#session=([A-Za-z0-9_-]{1,200})$/.exec(hash);
  return match ? match[1] : null;
}

/**
 * On load: a `#session=<secret>` fragment (the SSO callback's redirect) goes into storage, and
 * the URL loses it (replaceState: no history entry holds it). Returns whether there was one.
 */
export function adoptSecretFromFragment(): boolean {
  const secret = secretInFragment(location.hash);
  if (!secret) return false;
  keepSecret(secret);
  history.replaceState(history.state, '', location.pathname + location.search);
  return true;
}
