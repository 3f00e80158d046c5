/**
 * The console's own session: signing in with a pairing code (passkeys and SSO have their own
 * routes and end the same way, in `signedIn`), signing out, and what the sign-in page offers.
 * Who is signed in: GET /api/me.
 */
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { CodeSignInSchema, SignInMethodsSchema, SignInResponseSchema } from '../../shared/api.js';
import { ApiError } from '../api-error.js';
import { clientAddress, isHttps } from '../auth/client-address.js';
import { clearSessionCookie, signedIn } from '../auth/session-cookie.js';
import type { SessionService } from '../auth/sessions.js';
import type { Config } from '../config.js';
import type { PairingService } from '../pairing/service.js';
import { publicOrigin } from '../public-origin.js';
import { type AppEnv, authenticated, createRouter, errors, json, jsonBody } from './openapi-helpers.js';

export function sessionRoutes({
  pairing,
  sessions,
  config,
}: {
  pairing: Pick<PairingService, 'redeem'>;
  sessions: Pick<SessionService, 'start' | 'revoke'>;
  config: Pick<Config, 'oidc' | 'publicUrl' | 'host' | 'port'>;
}) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/session',
      tags: ['Console'],
      summary: 'Sign the console in with a pairing code (npm run pair): a session for the code’s person',
      description:
        'Sets the HttpOnly session cookie and answers the session’s secret, which the console sends as the X-Serval-Session header. ' +
        'Neither works without the other.',
      request: jsonBody(CodeSignInSchema),
      responses: {
        201: json(SignInResponseSchema, 'Signed in'),
        ...errors('validation_failed', 'pairing_code_invalid', 'pairing_rate_limited'),
      },
    }),
    async (c) => {
      const person = await pairing.redeem(c.req.valid('json').code, clientAddress(c));
      const started = await sessions.start({ personId: person.id, method: 'code', userAgent: c.req.header('user-agent') });
      return c.json(signedIn(c, started, person), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/session',
      tags: ['Console'],
      summary: 'Sign out: revoke this console session and clear its cookie',
      security: authenticated,
      responses: { 204: { description: 'Signed out' }, ...errors('unauthorized', 'csrf_rejected') },
    }),
    async (c) => {
      const principal = c.get('principal');
      if (principal.via !== 'session') {
        throw new ApiError('unauthorized', {
          message: 'Signing out ends a console session; this request came with a device token.',
          hint: 'Revoke a device with DELETE /api/devices/{id}.',
        });
      }
      await sessions.revoke(principal.session.id, principal);
      clearSessionCookie(c);
      return c.body(null, 204);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/session/methods',
      tags: ['Console'],
      summary: 'The ways to sign in that this backend offers',
      responses: { 200: json(SignInMethodsSchema, 'The sign-in methods') },
    }),
    (c) => {
      const passkeys = publicOrigin(config, c.req.url);
      return c.json({ passkey: true, sso: config.oidc !== null, passkeyOrigin: passkeys === requestOrigin(c) ? null : passkeys }, 200);
    },
  );

  return router;
}

/** The origin the browser used: the Host it asked for, over https when it came over https (see isHttps). */
function requestOrigin(c: Context<AppEnv>): string | null {
  try {
    return new URL(`${isHttps(c) ? 'https' : 'http'}://${c.req.header('host') ?? new URL(c.req.url).host}`).origin;
  } catch {
    return null;
  }
}
