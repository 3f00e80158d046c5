/**
 * The app factory: every test builds the real app from real parts (a real SQLite file, the real
 * stripe SDK), and main.ts serves the same thing.
 */
import { Hono, type Context, type Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { errorBody } from '../shared/errors.js';
import { ApiError } from './api-error.js';
import type { AuditRecorder } from './audit.js';
import type { Database, Repositories } from './db/repositories.js';
import { describeCause, isDatabaseUnavailable, isDataRefused } from './db/unavailable.js';
import { hostName } from './host-check.js';
import type { IntegrationService } from './integrations/stripe-integration.js';
import type { Logger } from './logger.js';
import type { PairingService } from './pairing/service.js';
import { applicationRoutes } from './routes/applications.js';
import { docsRoutes } from './routes/docs.js';
import { integrationRoutes } from './routes/integrations.js';
import { createRouter, type AppEnv } from './routes/openapi-helpers.js';
import { pairingRoutes } from './routes/pairing.js';
import { SESSION_COOKIE, sessionRoutes } from './routes/session.js';
import { consoleRoutes } from './routes/console.js';
import { systemRoutes } from './routes/system.js';

export type AppDeps = {
  repos: Repositories;
  database: Pick<Database, 'ping'>;
  pairing: PairingService;
  integrations: IntegrationService;
  audit: AuditRecorder;
  logger: Logger;
  now: () => Date;
  version: string;
  /**
   * Which Host headers the API answers to (see host-check.ts): a backend on loopback answers only
   * to loopback names, so a page that rebinds its own domain to 127.0.0.1 gets nothing. null: any.
   */
  hostAllowed?: ((hostHeader: string) => boolean) | null;
  /** Extra API routes mounted under /api, behind auth (the Stripe workflows). */
  extraRoutes?: Array<ReturnType<typeof createRouter>>;
};

export const MAX_BODY_BYTES = 64 * 1024;
const PUBLIC_API_PATHS = new Set(['/api/health', '/api/pair', '/api/openapi.json', '/api/session']);
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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

/**
 * A request header, read from Node's own parsed headers when served by @hono/node-server (no
 * Headers object built per request), else from the Request (app.request in tests).
 */
function header(c: Context<AppEnv>, name: 'host' | 'authorization' | 'cookie' | 'origin'): string | undefined {
  const incoming = (c.env as { incoming?: { headers: Record<string, string | string[] | undefined> } } | undefined)?.incoming;
  if (incoming) {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }
  return c.req.header(name);
}

export function createApp(deps: AppDeps) {
  const { logger } = deps;
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // One shape for every line (pino leaves out a deviceId that is undefined).
    logger.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10, deviceId: c.get('device')?.id },
      'request',
    );
  });

  // Every request passes one gate: the Host check, then — under /api — the body limit and
  // authentication. One middleware rather than three: each layer of Hono's chain is a few promises
  // on every request, and GET /api/status is answered thousands of times a second.
  const hostAllowed = deps.hostAllowed ?? null;
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json(errorBody('payload_too_large', { message: `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.` }), 413),
  });
  const authenticate = async (c: Context<AppEnv>, next: Next) => {
    if (PUBLIC_API_PATHS.has(c.req.path) && !(c.req.path === '/api/session' && c.req.method !== 'POST')) return next();
    const bearer = /^Bearer\s+(\S+)$/i.exec(header(c, 'authorization') ?? '')?.[1];
    const cookie = bearer ? undefined : sessionCookie(header(c, 'cookie'));
    const token = bearer ?? cookie;
    const device = token ? await deps.pairing.authenticate(token) : null;
    if (!device) {
      throw new ApiError('unauthorized', token ? {} : { message: 'Send the device token as `Authorization: Bearer svl_…`.' }, {
        'WWW-Authenticate': 'Bearer realm="Serval"',
      });
    }
    // A cookie rides along with any request the browser makes, a forged one from another site
    // included: one that changes something must come from the console's own origin.
    if (cookie && !SAFE_METHODS.has(c.req.method) && !sameOrigin(header(c, 'origin'), c.req.url, header(c, 'host'))) {
      throw new ApiError('csrf_rejected');
    }
    c.set('device', device);
    c.set('viaCookie', cookie !== undefined);
    return next();
  };
  app.use('*', (c, next) => {
    deps.repos.freshReads(); // a request sees every commit made before it began
    if (hostAllowed) {
      // @hono/node-server builds the URL from the Host header; in-process requests may carry none.
      const host = header(c, 'host') ?? new URL(c.req.url).host;
      if (!hostAllowed(host)) {
        return Promise.resolve(c.json(errorBody('host_not_allowed', { message: `This backend does not answer to the host name "${hostName(host).slice(0, 100)}".` }), 421));
      }
    }
    const path = c.req.path;
    if (path !== '/api' && !path.startsWith('/api/')) return next();
    // Only methods that carry a body are limited: looking for one makes @hono/node-server build a
    // full Request (and an AbortSignal) for every GET — a fifth of the cost of GET /api/status.
    return METHODS_WITH_BODY.has(c.req.method) ? limitBody(c, () => authenticate(c, next)) : authenticate(c, next);
  });

  const api = createRouter();
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A device token (`svl_…`) from POST /api/pair.',
  });
  api.route('/', systemRoutes(deps));
  api.route('/', pairingRoutes(deps));
  api.route('/', sessionRoutes(deps));
  api.route('/', applicationRoutes(deps));
  api.route('/', integrationRoutes(deps));
  for (const routes of deps.extraRoutes ?? []) api.route('/', routes);
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Serval for Stripe',
      version: deps.version,
      description:
        'Connect Stripe keys to Serval applications: checked with Stripe, sealed with AES-256-GCM, never returned. Errors are always `{"error": {"code", "message", "hint"?, "details"?}}`.',
    },
    servers: [{ url: '/api' }],
  });
  app.route('/api', api);
  app.route('/docs', docsRoutes());
  app.route('/', consoleRoutes());

  app.notFound((c) => c.json(errorBody('not_found', { message: `No route for ${c.req.method} ${c.req.path}.` }), 404));

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json(error.body(), error.status as 400);
    }
    if (isDatabaseUnavailable(error)) {
      // The process stays up; the pool reconnects by itself once the database is back.
      logger.warn({ method: c.req.method, path: c.req.path, err: describeCause(error) }, 'database unavailable');
      c.header('Retry-After', '5');
      return c.json(errorBody('database_unavailable'), 503);
    }
    if (isDataRefused(error)) {
      logger.warn({ method: c.req.method, path: c.req.path, err: describeCause(error) }, 'database refused the data');
      return c.json(errorBody('validation_failed', { message: 'The request holds a value the database cannot store.' }), 400);
    }
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's validators throw these for bodies that are not JSON at all.
      const code = error.status === 413 ? 'payload_too_large' : 'validation_failed';
      return c.json(
        errorBody(code, { message: error.message || undefined, hint: 'Send a JSON object with `Content-Type: application/json`.' }),
        error.status === 413 ? 413 : 400,
      );
    }
    logger.error({ err: { message: describeCause(error), stack: error.stack }, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal_error'), 500);
  });

  return app;
}

