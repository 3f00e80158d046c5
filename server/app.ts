/**
 * The app factory: every test builds the real app from real parts (a real SQLite file, the real
 * stripe SDK), and main.ts serves the same thing.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { errorBody } from '../shared/errors.js';
import { ApiError } from './api-error.js';
import type { AuditRecorder } from './audit.js';
import type { OidcSignIn } from './auth/oidc.js';
import type { PasskeyService } from './auth/passkeys.js';
import type { Database, Repositories } from './db/repositories.js';
import { describeCause, isDatabaseUnavailable, isDataRefused } from './db/unavailable.js';
import type { IntegrationService } from './integrations/stripe-integration.js';
import type { Logger } from './logger.js';
import { proxyTrust, type ProxyTrust } from './auth/client-address.js';
import type { SessionService } from './auth/sessions.js';
import type { Config } from './config.js';
import { apiBodyLimit, authenticate, hostCheck, requestLog } from './middlewares.js';
import type { PairingService } from './pairing/service.js';
import type { PeopleService } from './people/service.js';
import { applicationRoutes } from './routes/applications.js';
import { docsRoutes } from './routes/docs.js';
import { integrationRoutes } from './routes/integrations.js';
import { createRouter, type AppEnv } from './routes/openapi-helpers.js';
import { oidcRoutes } from './routes/oidc.js';
import { pairingRoutes } from './routes/pairing.js';
import { passkeyRoutes } from './routes/passkeys.js';
import { peopleRoutes } from './routes/people.js';
import { sessionRoutes } from './routes/session.js';
import { sessionListRoutes } from './routes/sessions.js';
import { consoleRoutes } from './routes/console.js';
import { systemRoutes } from './routes/system.js';

export type AppDeps = {
  repos: Repositories;
  database: Pick<Database, 'ping'>;
  pairing: PairingService;
  people: PeopleService;
  /** Single sign-on (OpenID Connect); null when SERVAL_OIDC_* are unset. */
  oidc: OidcSignIn | null;
  sessions: SessionService;
  passkeys: PasskeyService;
  /** Which proxies' X-Forwarded-For and X-Forwarded-Proto to believe (auth/client-address.ts); null: none. */
  proxyTrust: ProxyTrust | null;
  config: Config;
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

export function createApp(deps: AppDeps) {
  const { logger } = deps;
  const app = new Hono<AppEnv>();

  app.use('*', requestLog(logger));
  // A backend on loopback answers only to loopback names (see host-check.ts); elsewhere, to any.
  if (deps.hostAllowed) app.use('*', hostCheck(deps.hostAllowed));
  // Only methods that carry a body: looking for one makes @hono/node-server build a whole Request.
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '/api/*', apiBodyLimit);
  app.use('/api/*', proxyTrust(deps.proxyTrust));
  app.use('/api/*', authenticate(deps.pairing, deps.sessions));

  const api = createRouter();
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A device token (`svl_…`) from POST /api/pair.',
  });
  // A console session: both halves together, never one alone (auth/sessions.ts).
  api.openAPIRegistry.registerComponent('securitySchemes', 'sessionCookie', {
    type: 'apiKey',
    in: 'cookie',
    name: 'serval_session',
    description: 'The console session’s cookie (`__Host-serval_session` over https), set by signing in. Valid only with its X-Serval-Session header.',
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'sessionHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Serval-Session',
    description: 'The console session’s secret (`sss_…`), answered once by signing in. Valid only with its cookie.',
  });
  api.route('/', systemRoutes(deps));
  api.route('/', pairingRoutes(deps));
  api.route('/', peopleRoutes(deps));
  api.route('/', sessionRoutes(deps));
  api.route('/', passkeyRoutes(deps));
  api.route('/', oidcRoutes(deps));
  api.route('/', sessionListRoutes(deps));
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
