/** The app's middlewares, one concern each, in the order app.ts mounts them. */
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { errorBody } from '../shared/errors.js';
import { ApiError } from './api-error.js';
import { hostName } from './host-check.js';
import type { Logger } from './logger.js';
import type { PairingService } from './pairing/service.js';
import type { AppEnv } from './routes/openapi-helpers.js';
import { SESSION_COOKIE } from './routes/session.js';

export const MAX_BODY_BYTES = 64 * 1024;
const PUBLIC_API_PATHS = new Set(['/api/health', '/api/pair', '/api/openapi.json', '/api/session']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** One log line per request, the same shape for every line (pino leaves out a deviceId that is undefined). */
export function requestLog(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    logger.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10, deviceId: c.get('device')?.id },
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
 * Who is asking: a device token (`Authorization: Bearer svl_…`) or the console's session cookie.
 * Every API path but the public ones needs one; `device` and `viaCookie` are set for the routes.
 */
export function authenticate(pairing: Pick<PairingService, 'authenticate'>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (PUBLIC_API_PATHS.has(c.req.path) && !(c.req.path === '/api/session' && c.req.method !== 'POST')) return next();
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const cookie = bearer ? undefined : sessionCookie(c.req.header('cookie'));
    const token = bearer ?? cookie;
    const device = token ? await pairing.authenticate(token) : null;
    if (!device) {
      throw new ApiError('unauthorized', token ? {} : { message: 'Send the device token as `Authorization: Bearer svl_…`.' }, {
        'WWW-Authenticate': 'Bearer realm="Serval"',
      });
    }
    // A cookie rides along with any request the browser makes, a forged one from another site
    // included: one that changes something must come from the console's own origin.
    if (cookie && !SAFE_METHODS.has(c.req.method) && !sameOrigin(c.req.header('origin'), c.req.url, c.req.header('host'))) {
      throw new ApiError('csrf_rejected');
    }
    c.set('device', device);
    c.set('viaCookie', cookie !== undefined);
    await next();
  });
}

/** The session cookie as sent, undecoded: a malformed value is a wrong token (401), not a missing one. */
function sessionCookie(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
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
