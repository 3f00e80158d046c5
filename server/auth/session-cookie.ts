/**
 * The session's cookie half: HttpOnly, SameSite=Strict, Path=/; over https `__Host-serval_session`
 * with Secure (a cookie no other host or path can set), on plain http `serval_session`. It lives no
 * longer than the session's absolute expiry. Every way of signing in ends with `signedIn`.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { SignInResponse } from '../../shared/api.js';
import type { PersonRow } from '../db/repositories.js';
import type { AppEnv } from '../routes/openapi-helpers.js';
import { isHttps } from './client-address.js';
import type { StartedSession } from './sessions.js';

/** The cookie's name without its `__Host-` prefix. */
export const SESSION_COOKIE = 'serval_session';
/** The header the console sends the session's secret in. */
export const SESSION_HEADER = 'X-Serval-Session';

/** The cookie's value as this request sent it (under the name its protocol uses), if any. */
export function readSessionCookie(c: Context<AppEnv>): string | undefined {
  return getCookie(c, SESSION_COOKIE, isHttps(c) ? 'host' : undefined) || undefined;
}

/**
 * Signs the browser in with a session just started (`sessions.start`): sets the cookie and
 * returns the body of the 201 answer (SignInResponse) — the secret goes to the console there, once.
 * Used by every sign-in route: `return c.json(signedIn(c, started, person), 201)`.
 */
export function signedIn(c: Context<AppEnv>, started: StartedSession, person: PersonRow): SignInResponse {
  setSessionCookie(c, started);
  const { id, name, email, role, createdAt, disabledAt } = person;
  return {
    person: { id, name, email, role, createdAt, disabledAt },
    session: { id: started.row.id, expiresAt: started.row.expiresAt },
    secret: started.secret,
  };
}

/** Sets the cookie alone (for a sign-in that ends in a redirect, as SSO's does). */
export function setSessionCookie(c: Context<AppEnv>, started: StartedSession): void {
  const secure = isHttps(c);
  const maxAge = Math.max(0, Math.floor((Date.parse(started.row.expiresAt) - Date.parse(started.row.createdAt)) / 1000));
  setCookie(c, SESSION_COOKIE, started.cookieValue, { httpOnly: true, sameSite: 'Strict', path: '/', secure, maxAge, prefix: secure ? 'host' : undefined });
}

/** Sign-out: the browser forgets the cookie. */
export function clearSessionCookie(c: Context<AppEnv>): void {
  const secure = isHttps(c);
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Strict', path: '/', secure, prefix: secure ? 'host' : undefined });
}
