/**
 * Single sign-on (public routes): two top-level navigations, not API calls. `start` sends the
 * browser to the identity provider; the provider sends it back to `callback`, which signs it in
 * and hands the console its session secret in the fragment (`/#session=…`: never sent to a
 * server, and the console clears it at once), or sends it to the sign-in page with the reason
 * (`/sign-in?error=sso_failed`). Without SSO settings both are 404 `sso_not_configured`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ApiError } from '../api-error.js';
import { clientAddress } from '../auth/client-address.js';
import { OIDC_CALLBACK_PATH, OIDC_COOKIE, OIDC_COOKIE_PATH, OIDC_FLOW_TTL_MS, type OidcSignIn, SsoError } from '../auth/oidc.js';
import { setSessionCookie } from '../auth/session-cookie.js';
import type { SessionService } from '../auth/sessions.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { publicOrigin } from '../public-origin.js';
import { type AppEnv, createRouter, errors } from './openapi-helpers.js';

const START_PATH = '/api/session/oidc/start';
const Redirect = (description: string) => ({ description, headers: z.object({ Location: z.string() }) });

export function oidcRoutes(deps: { oidc: OidcSignIn | null; sessions: SessionService; config: Config; logger: Logger }) {
  const { oidc, sessions, config, logger } = deps;
  const router = createRouter();

  function configured(): OidcSignIn {
    if (!oidc) throw new ApiError('sso_not_configured');
    return oidc;
  }

  /** The sign-in page with the reason; the console shows the catalogue's message for it. */
  function refused(c: Context<AppEnv>, error: unknown) {
    if (!(error instanceof SsoError)) throw error;
    logger.warn({ code: error.code, reason: error.reason }, 'single sign-on did not sign anyone in');
    return c.redirect(`/sign-in?error=${error.code}`, 302);
  }

  router.openapi(
    createRoute({
      method: 'get',
      path: '/session/oidc/start',
      tags: ['Sign-in'],
      summary: 'Sign in with SSO: go to the identity provider (a page the browser navigates to)',
      description:
        'Authorization code flow with PKCE (S256), state and nonce; scope `openid email profile`. The redirect URI to register at the provider is `<public origin>/api/session/oidc/callback`.',
      responses: {
        302: Redirect(
          'To the identity provider, setting the `serval_oidc` cookie (or, if it cannot be reached, to `/sign-in?error=sso_failed`); a console opened at another loopback address than its public origin first goes there',
        ),
        ...errors('sso_not_configured'),
      },
    }),
    async (c) => {
      const sso = configured();
      const origin = publicOrigin(config, c.req.url);
      // A console opened at http://127.0.0.1:<port> is sent back at http://localhost:<port> (its
      // public origin on loopback): the flow cookie must be set where the callback will arrive.
      if (!config.publicUrl && new URL(c.req.url).hostname !== new URL(origin).hostname) return c.redirect(origin + START_PATH, 302);
      const redirectUri = origin + OIDC_CALLBACK_PATH;
      try {
        const { authorizationUrl, handle } = await sso.begin(redirectUri);
        // Lax, not Strict: the provider's redirect back is a top-level navigation from another site.
        setCookie(c, OIDC_COOKIE, handle, {
          httpOnly: true,
          sameSite: 'Lax',
          path: OIDC_COOKIE_PATH,
          secure: redirectUri.startsWith('https:'),
          maxAge: OIDC_FLOW_TTL_MS / 1000,
        });
        return c.redirect(authorizationUrl, 302);
      } catch (error) {
        return refused(c, error);
      }
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/session/oidc/callback',
      tags: ['Sign-in'],
      summary: 'Where the identity provider sends the browser back: signs it in',
      description:
        'Success: sets the session cookie and redirects to `/#session=<secret>`. Failure (a bad state, nonce or issuer, an unverified or unknown e-mail address, a disabled person): redirects to `/sign-in?error=sso_failed` or `sso_refused` (or `sign_in_rate_limited`), and signs no one in.',
      responses: {
        302: Redirect('To the console, signed in; or to its sign-in page with the reason'),
        ...errors('sso_not_configured'),
      },
    }),
    async (c) => {
      const sso = configured();
      const handle = getCookie(c, OIDC_COOKIE);
      deleteCookie(c, OIDC_COOKIE, { path: OIDC_COOKIE_PATH, httpOnly: true, sameSite: 'Lax', secure: publicOrigin(config, c.req.url).startsWith('https:') });
      try {
        const person = await sso.finish({ handle, query: new URL(c.req.url).searchParams, client: clientAddress(c) });
        const started = await sessions.start({ personId: person.id, method: 'oidc', userAgent: c.req.header('user-agent') });
        setSessionCookie(c, started);
        c.header('Cache-Control', 'no-store');
        c.header('Referrer-Policy', 'no-referrer');
        return c.redirect(`/#session=${encodeURIComponent(started.secret)}`, 302);
      } catch (error) {
        return refused(c, error);
      }
    },
  );

  return router;
}
