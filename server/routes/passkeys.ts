/**
 * Passkey sign-in (public routes): registration from an invite link, then sign-in with the
 * passkey. Each ceremony is two requests joined by a flow handle; each ends in a console session.
 * The relying party is the console's public origin (publicOrigin): a console opened at
 * 127.0.0.1 is offered http://localhost:<port> instead (GET /api/session/methods).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { RoleSchema, SignInResponseSchema } from '../../shared/api.js';
import { clientAddress } from '../auth/client-address.js';
import type { PasskeyService } from '../auth/passkeys.js';
import { signedIn } from '../auth/session-cookie.js';
import type { Config } from '../config.js';
import { publicOrigin } from '../public-origin.js';
import { createRouter, errors, json, jsonBody } from './openapi-helpers.js';

const Base64Url = z
  .string()
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');
const CredentialId = Base64Url.min(1).max(1_400);
/** What @simplewebauthn/browser's startRegistration() gives (RegistrationResponseJSON); its content is the verifier's to judge. */
const RegistrationResponseSchema = z.looseObject({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: Base64Url,
    attestationObject: Base64Url,
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});
/** What startAuthentication() gives (AuthenticationResponseJSON). */
const AuthenticationResponseSchema = z.looseObject({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: Base64Url,
    authenticatorData: Base64Url,
    signature: Base64Url,
    userHandle: Base64Url.max(128).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});
const Flow = z.string().min(1).max(100).describe('The handle from the ceremony’s first request: single use, 5 minutes.');
/** The browser hands these to navigator.credentials as they are (PublicKeyCredential…OptionsJSON). */
const CeremonyOptions = z.looseObject({ challenge: z.string() });

export function passkeyRoutes({ passkeys, config }: { passkeys: PasskeyService; config: Pick<Config, 'publicUrl' | 'host' | 'port'> }) {
  const router = createRouter();
  const origin = (url: string) => publicOrigin(config, url);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/session/passkey/registration',
      tags: ['Sign-in'],
      summary: 'Start adding a passkey from an invite link',
      request: jsonBody(z.object({ invite: z.string().min(1).max(200).describe('The token from the invite link (after #).') })),
      responses: {
        200: json(
          z.object({ flow: z.string(), options: CeremonyOptions, person: z.object({ name: z.string(), role: RoleSchema }) }),
          'Options for navigator.credentials.create() (a discoverable credential), and whom the invite is for',
        ),
        ...errors('validation_failed', 'invite_invalid', 'sign_in_rate_limited'),
      },
    }),
    async (c) => c.json(await passkeys.registrationOptions(c.req.valid('json').invite, origin(c.req.url), clientAddress(c)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/session/passkey/registration/verify',
      tags: ['Sign-in'],
      summary: 'Finish adding a passkey: stores it, uses the invite up and signs in (sets the session cookie)',
      request: jsonBody(z.object({ flow: Flow, response: RegistrationResponseSchema })),
      responses: {
        201: json(SignInResponseSchema, 'Signed in. `secret` is shown once: send it as X-Serval-Session with the cookie.'),
        ...errors('validation_failed', 'invite_invalid', 'passkey_invalid', 'sign_in_rate_limited'),
      },
    }),
    async (c) => {
      const { flow, response } = c.req.valid('json');
      const { person, started } = await passkeys.register({
        flow,
        response: response as unknown as RegistrationResponseJSON,
        publicOrigin: origin(c.req.url),
        client: clientAddress(c),
        userAgent: c.req.header('user-agent'),
      });
      return c.json(signedIn(c, started, person), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/session/passkey/options',
      tags: ['Sign-in'],
      summary: 'Start signing in with a passkey',
      request: jsonBody(z.object({})),
      responses: {
        200: json(z.object({ flow: z.string(), options: CeremonyOptions }), 'Options for navigator.credentials.get() (any passkey of this site)'),
        ...errors('validation_failed'),
      },
    }),
    async (c) => c.json(await passkeys.signInOptions(origin(c.req.url)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/session/passkey',
      tags: ['Sign-in'],
      summary: 'Sign in with a passkey (sets the session cookie)',
      request: jsonBody(z.object({ flow: Flow, response: AuthenticationResponseSchema })),
      responses: {
        201: json(SignInResponseSchema, 'Signed in. `secret` is shown once: send it as X-Serval-Session with the cookie.'),
        ...errors('validation_failed', 'passkey_invalid', 'sign_in_rate_limited'),
      },
    }),
    async (c) => {
      const { flow, response } = c.req.valid('json');
      const { person, started } = await passkeys.signIn({
        flow,
        response: response as unknown as AuthenticationResponseJSON,
        publicOrigin: origin(c.req.url),
        client: clientAddress(c),
        userAgent: c.req.header('user-agent'),
      });
      return c.json(signedIn(c, started, person), 201);
    },
  );

  return router;
}
