/** The app's middlewares, one concern each, in the order app.ts mounts them. */
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { errorBody } from '../shared/errors.js';
import { ApiError } from './api-error.js';
import { hostName } from './host-check.js';
import type { Logger } from './logger.js';
import type { PairingService } from './pairing/service.js';
import { readSessionCookie, SESSION_HEADER } from './auth/session-cookie.js';
import type { SessionService } from './auth/sessions.js';
import type { AppEnv } from './routes/openapi-helpers.js';

export const MAX_BODY_BYTES = 64 * 1024;
const PUBLIC_API_PATHS = new Set(['/api/health', '/api/pair', '/api/openapi.json']);
const SIGN_IN_PREFIXES = ['/api/session/passkey', '/api/session/oidc'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * One log line per request, the same shape for every line: who asked by their ids (the person, and
 * the device or session they came with), never by a credential. pino leaves out what is undefined.
 */
export function requestLog(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    const principal = c.get('principal');
    logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        personId: principal?.person.id,
        deviceId: principal?.device?.id,
        sessionId: principal?.session?.id,
      },
      'request',
    );
  });
}

/** DNS rebinding (see host-check.ts): a Host this backend does not answer to gets 421 and nothing else. */
export function hostCheck(hostAllowed: (hostHeader: string) => boolean) {
  return createMiddleware<AppEnv>(async (c, next) => {
    // @hono/node-server builds the URL from the Host header; in-process requests may carry none.
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!hostAllowed(host)) {
      return c.json(errorBody('host_not_allowed', { message: `This backend does not answer to the host name "${hostName(host).slice(0, 100)}".` }), 421);
    }
    await next();
  });
}

/** A body over the limit is refused before anything reads it. */
export const apiBodyLimit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => c.json(errorBody('payload_too_large', { message: `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.` }), 413),
});

/**
 * Who is asking (see auth/principal.ts). A device (the extension, a script) sends its token as
 * `Authorization: Bearer svl_…`; the console sends both halves of its session: the cookie and the
 * X-Serval-Session header. Each credential is accepted only in its own place: a session value as
 * a bearer token, a device token as the cookie or the header, or half a session is 401. Every API
 * path but the public ones needs one.
 */
export function authenticate(pairing: Pick<PairingService, 'authenticate'>, sessions: Pick<SessionService, 'authenticate'>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (isPublic(c.req.method, c.req.path)) return next();
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      const found = token ? await pairing.authenticate(token) : null;
      if (!found) throw unauthorized({});
      c.set('principal', { via: 'device', person: found.person, device: found.device, session: null });
      return next();
    }
    const cookie = readSessionCookie(c);
    const secret = c.req.header(SESSION_HEADER);
    if (cookie === undefined && secret === undefined) {
      throw unauthorized({ message: 'Sign in to the console, or send a device token as `Authorization: Bearer svl_…`.' });
    }
    const found = cookie !== undefined && secret !== undefined ? await sessions.authenticate(cookie, secret) : null;
    if (!found) throw unauthorized(SESSION_ENDED);
    // A cookie rides along with any request the browser makes, a forged one from another site
    // included: one that changes something must come from the console's own origin.
    if (!SAFE_METHODS.has(c.req.method) && !sameOrigin(c.req.header('origin'), c.req.url, c.req.header('host'))) {
      throw new ApiError('csrf_rejected');
    }
    c.set('principal', { via: 'session', person: found.person, device: null, session: found.session });
    await next();
  });
}

const SESSION_ENDED = { message: 'Your console session has ended. Sign in again.', hint: "Sign in on the console's sign-in page." };

function unauthorized(overrides: { message?: string; hint?: string }): ApiError {
  return new ApiError('unauthorized', overrides, { 'WWW-Authenticate': 'Bearer realm="Serval"' });
}

/** No credential needed: health, pairing, the API document, and signing in (any of the three ways). */
function isPublic(method: string, path: string): boolean {
  if (PUBLIC_API_PATHS.has(path)) return true;
  if (path === '/api/session') return method === 'POST';
  if (path === '/api/session/methods') return method === 'GET';
  return SIGN_IN_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** The Origin a browser sent is the backend's own (scheme and host as the request reached us). */
function sameOrigin(origin: string | undefined, requestUrl: string, hostHeader: string | undefined): boolean {
  if (!origin || origin === 'null') return false;
  try {
    const o = new URL(origin);
    const own = new URL(requestUrl);
    return o.host === (hostHeader ?? own.host) && (o.protocol === own.protocol || o.protocol === 'https:');
  } catch {
    return false;
  }
}
