/**
 * Signing the console in as a browser would, through the harness: a pairing code, then the two
 * halves of the session — the cookie the answer sets, and the secret the console keeps and sends
 * as X-Serval-Session.
 */
import { expect } from 'vitest';
import type { Harness } from './harness.js';

export const HOST = '127.0.0.1:8787';
export const ORIGIN = `http://${HOST}`;
export const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

export type SignedIn = {
  /** The cookie as the browser sends it back: `serval_session=…` (or `__Host-serval_session=…`). */
  cookie: string;
  /** The cookie's value alone. */
  cookieValue: string;
  secret: string;
  sessionId: string;
  setCookie: string;
  body: any;
};

/** The cookie a Set-Cookie header sets, as the browser would send it back. */
export function cookieFrom(setCookie: string): { cookie: string; cookieValue: string } {
  const match = /^((?:__Host-)?serval_session)=([^;]*)/.exec(setCookie);
  expect(match, setCookie).not.toBeNull();
  return { cookie: `${match![1]}=${match![2]}`, cookieValue: match![2] };
}

/** Signs in with a fresh code for the person (default: the earliest enabled admin). */
export async function signIn(h: Harness, options: { personId?: string; url?: string; headers?: Record<string, string> } = {}): Promise<SignedIn> {
  const { code } = await h.runtime.pairing.issueCode(options.personId);
  const res = await h.post(options.url ?? '/api/session', { code }, { token: null, headers: { Host: HOST, 'User-Agent': CHROME_LINUX, ...options.headers } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { ...cookieFrom(setCookie), secret: res.body.secret, sessionId: res.body.session.id, setCookie, body: res.body };
}

/** Request options that carry both halves of the session (and no device token). */
export function asSession(s: Pick<SignedIn, 'cookie' | 'secret'>, extra: Record<string, string> = {}) {
  return { token: null, headers: { Host: HOST, Cookie: s.cookie, 'X-Serval-Session': s.secret, ...extra } };
}

/** Only these headers (and no device token). */
export function withHeaders(headers: Record<string, string>) {
  return { token: null, headers: { Host: HOST, ...headers } };
}
