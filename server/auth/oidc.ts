/**
 * Single sign-on with OpenID Connect, through `openid-client`: the authorization code flow with
 * PKCE (S256), state and nonce; scope `openid email profile`; the client authenticates with
 * client_secret_basic. Between the two requests of a sign-in, its state, nonce and code verifier
 * wait in a sign-in flow row (10 min, single use), found by the SHA-256 of a random handle that
 * only the browser holds (the `serval_oidc` cookie), so any instance can finish what another began.
 *
 * openid-client checks the answer: the `state`, the issuer (`iss`, RFC 9207, and the ID token's),
 * the ID token's signature, audience and `nonce`, and PKCE at the token endpoint. What is left to
 * us is who the answer names: a person with that e-mail address, which the provider must have
 * verified (`email_verified: true`).
 */
import { hash, randomBytes } from 'node:crypto';
import type * as OpenIdClient from 'openid-client';
import { z } from 'zod';
import type { Role } from '../../shared/roles.js';
import { ApiError } from '../api-error.js';
import { type Config, ConfigError } from '../config.js';
import type { PersonRow, Repositories } from '../db/repositories.js';
import { isLoopbackName } from '../host-check.js';
import { createAttemptLimiter, type AttemptLimiter } from '../pairing/attempt-limiter.js';
import type { PeopleService } from '../people/service.js';
import { SIGN_IN_BRAKE, signInClient } from './passkeys.js';

/** openid-client, loaded at the first SSO request: a backend without SSO never needs it in memory. */
let openIdClientLibrary: Promise<typeof OpenIdClient> | null = null;
const openIdClient = () => (openIdClientLibrary ??= import('openid-client'));

/** The cookie that carries the flow handle from the start to the callback, and only there. */
export const OIDC_COOKIE = 'serval_oidc';
export const OIDC_COOKIE_PATH = '/api/session/oidc';
export const OIDC_CALLBACK_PATH = '/api/session/oidc/callback';
export const OIDC_FLOW_TTL_MS = 10 * 60_000;
const SCOPE = 'openid email profile';
/** Seconds one request to the provider may take (discovery, token, keys, userinfo). */
const PROVIDER_TIMEOUT_S = 10;

export type OidcSettings = NonNullable<Config['oidc']>;
export type OidcSignIn = ReturnType<typeof createOidcSignIn>;

/** A sign-in that did not happen: the code the console shows, and the reason for the log (never a credential). */
export class SsoError extends Error {
  constructor(
    readonly code: 'sso_failed' | 'sso_refused' | 'sign_in_rate_limited',
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * openid-client talks to a provider over https only. Plain http is allowed for an issuer on a
 * loopback address (localhost, 127.0.0.0/8, ::1) and nowhere else: a provider on this machine,
 * such as the one the tests start; over any network the answer could be read or changed on the way.
 */
export function issuerTransport(issuer: string): 'https' | 'loopback-http' {
  const url = new URL(issuer);
  if (url.protocol === 'https:') return 'https';
  if (url.protocol === 'http:' && isLoopbackName(url.hostname)) return 'loopback-http';
  throw new ConfigError([`SERVAL_OIDC_ISSUER: must be an https URL (plain http is allowed only on a loopback address); not ${url.origin}`]);
}

/** Who the provider says this is, from its verified claims; refused without a verified e-mail address. */
export function identityFrom(claims: Record<string, unknown>): { email: string; name: string } {
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!email) throw new SsoError('sso_refused', 'the identity provider gave no e-mail address');
  if (claims.email_verified !== true) throw new SsoError('sso_refused', 'the identity provider has not verified this e-mail address');
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 200) : email;
  return { email, name };
}

/** What a verified identity leads to: the person with that e-mail, a new one (SERVAL_OIDC_DEFAULT_ROLE), or a refusal. */
export function signInDecision(
  person: Pick<PersonRow, 'disabledAt'> | undefined,
  defaultRole: Role | null,
): { kind: 'existing' } | { kind: 'create'; role: Role } | { kind: 'refused'; reason: string } {
  if (person) return person.disabledAt === null ? { kind: 'existing' } : { kind: 'refused', reason: 'this person is disabled' };
  return defaultRole ? { kind: 'create', role: defaultRole } : { kind: 'refused', reason: 'no one here has this e-mail address' };
}

export function hashFlowHandle(handle: string): string {
  return hash('sha256', handle, 'hex');
}

const FlowData = z.object({ state: z.string(), nonce: z.string(), codeVerifier: z.string(), redirectUri: z.url() });

export function createOidcSignIn(deps: {
  settings: OidcSettings;
  repos: Repositories;
  people: Pick<PeopleService, 'create' | 'byEmail'>;
  now: () => Date;
  limiter?: AttemptLimiter;
}) {
  const { settings, repos, people, now } = deps;
  const limiter = deps.limiter ?? createAttemptLimiter({ repos, ...SIGN_IN_BRAKE, now });
  const insecure = issuerTransport(settings.issuer) === 'loopback-http';
  let discovered: Promise<OpenIdClient.Configuration> | null = null;

  /** The provider's metadata, fetched once; a failed discovery is tried again by the next sign-in. */
  function discover(): Promise<OpenIdClient.Configuration> {
    discovered ??= openIdClient()
      .then((client) =>
        client.discovery(new URL(settings.issuer), settings.clientId, undefined, client.ClientSecretBasic(settings.clientSecret), {
          execute: insecure ? [client.allowInsecureRequests] : [],
          timeout: PROVIDER_TIMEOUT_S,
        }),
      )
      .catch((error: unknown) => {
        discovered = null;
        throw new SsoError('sso_failed', `discovery of ${settings.issuer} failed: ${describe(error)}`);
      });
    return discovered;
  }

  /** The person the identity names: found, or created with the default role; disabled or unknown: refused. */
  async function personFor(identity: { email: string; name: string }): Promise<PersonRow> {
    const found = await people.byEmail(identity.email);
    const decision = signInDecision(found, settings.defaultRole);
    if (decision.kind === 'refused') throw new SsoError('sso_refused', decision.reason);
    if (found) return found;
    if (decision.kind !== 'create') throw new Error('unreachable');
    try {
      return await people.create({ name: identity.name, email: identity.email, role: decision.role }, null);
    } catch (error) {
      // Two first sign-ins of the same person at once: the other made them; use theirs.
      if (!(error instanceof ApiError && error.code === 'email_taken')) throw error;
      const made = await people.byEmail(identity.email);
      if (!made || made.disabledAt !== null) throw new SsoError('sso_refused', 'this person is disabled');
      return made;
    }
  }

  /** The claims the provider vouched for in answer to this browser's flow: every check openid-client makes, passed. */
  async function verifiedClaims(handle: string | undefined, query: URLSearchParams): Promise<Record<string, unknown>> {
    if (!handle) throw new SsoError('sso_failed', 'no sign-in in progress in this browser (no serval_oidc cookie)');
    const flow = await repos.signInFlows.take(hashFlowHandle(handle), now().toISOString());
    if (flow?.kind !== 'oidc') throw new SsoError('sso_failed', 'the sign-in is unknown, expired or already finished');
    const parsed = FlowData.safeParse(JSON.parse(flow.data));
    if (!parsed.success) throw new SsoError('sso_failed', 'the sign-in flow is damaged');
    const data = parsed.data;
    const config = await discover();
    const client = await openIdClient();
    const currentUrl = new URL(data.redirectUri);
    currentUrl.search = query.toString();
    try {
      const tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: data.codeVerifier,
        expectedState: data.state,
        expectedNonce: data.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new Error('no ID token');
      // A provider may keep the e-mail claims for its userinfo endpoint (as the spec says when it issues an access token).
      if ((typeof idToken.email !== 'string' || idToken.email_verified === undefined) && config.serverMetadata().userinfo_endpoint) {
        return { ...idToken, ...(await client.fetchUserInfo(config, tokens.access_token, idToken.sub)) };
      }
      return { ...idToken };
    } catch (error) {
      throw new SsoError('sso_failed', describe(error));
    }
  }

  return {
    /** Starts a sign-in: where to send the browser, and the handle for its cookie. */
    async begin(redirectUri: string): Promise<{ authorizationUrl: string; handle: string }> {
      const config = await discover();
      const client = await openIdClient();
      const codeVerifier = client.randomPKCECodeVerifier();
      const data = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier, redirectUri };
      const handle = randomBytes(32).toString('base64url');
      const at = now();
      await repos.signInFlows.add(
        { idHash: hashFlowHandle(handle), kind: 'oidc', data: JSON.stringify(data), expiresAt: new Date(at.getTime() + OIDC_FLOW_TTL_MS).toISOString() },
        at.toISOString(),
      );
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: SCOPE,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state: data.state,
        nonce: data.nonce,
      });
      return { authorizationUrl: url.href, handle };
    },

    /**
     * Finishes a sign-in with the provider's answer (the callback's query) for the browser with
     * this flow handle, from this client address: takes the flow (single use, whatever happens
     * next), exchanges the code, and finds the person. Throws SsoError; every failure counts in
     * the sign-in brake, and a success forgives the client.
     */
    async finish(input: { handle: string | undefined; query: URLSearchParams; client: string }): Promise<PersonRow> {
      const wait = await limiter.blockedFor(signInClient(input.client));
      if (wait > 0) throw new SsoError('sign_in_rate_limited', `too many failed sign-ins from this client; try again in ${wait} s`);
      try {
        const person = await personFor(identityFrom(await verifiedClaims(input.handle, input.query)));
        await limiter.reset(signInClient(input.client));
        return person;
      } catch (error) {
        if (error instanceof SsoError) await limiter.recordFailure(signInClient(input.client));
        throw error;
      }
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof SsoError) return error.reason;
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}${cause}`.slice(0, 500);
}
