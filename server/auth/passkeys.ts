/**
 * Console sign-in with passkeys (WebAuthn, @simplewebauthn/server). Two ceremonies, each two
 * requests joined by a sign-in flow row (single use, 5 min):
 * - registration from an invite link: the invite names the person; verifying the new credential
 *   uses the invite up and stores the passkey in one transaction;
 * - sign-in with a discoverable credential: the browser offers whichever passkey the person
 *   picks; the credential names the person.
 * Both end in a console session for the person, started in the transaction that records the
 * ceremony. Any failure is counted in the sign-in brake, per client address, shared with SSO.
 */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Role } from '../../shared/roles.js';

/**
 * The WebAuthn library, loaded at the first passkey request: most backends never see one, and
 * loading it at start-up cost ~4 MiB of memory for nothing.
 */
let webauthnLibrary: Promise<typeof import('@simplewebauthn/server')> | null = null;
const webauthn = () => (webauthnLibrary ??= import('@simplewebauthn/server'));
import { ApiError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import type { PersonRow, Repositories } from '../db/repositories.js';
import type { Logger } from '../logger.js';
import { createAttemptLimiter, type AttemptLimiter } from '../pairing/attempt-limiter.js';
import { hashInviteToken } from '../people/invite-token.js';
import type { SessionService, StartedSession } from './sessions.js';
import {
  ALGORITHMS,
  credentialOf,
  digest,
  FLOW_TTL_MS,
  newFlowHandle,
  parseRegisterFlow,
  parseSignInFlow,
  passkeyRow,
  relyingParty,
  RP_NAME,
  transportsOf,
  userHandleOf,
} from './passkey-ceremony.js';

export type PasskeyService = ReturnType<typeof createPasskeyService>;

/** The sign-in brake: failed sign-ins per client address, across instances (the pairing brake's store, its own keys). */
export const SIGN_IN_BRAKE = { maxFailures: 30, windowMs: 60_000 };
export const signInClient = (address: string) => `signin:${address}`;

/** Why a ceremony was refused: for the log, never for the answer. */
class Refusal extends Error {}

/** A ceremony's answer as the route hands it on: the browser's response, and where the request came from. */
export type CeremonyInput<R> = { flow: string; response: R; publicOrigin: string; client: string; userAgent: string | undefined };
export type SignedIn = { person: PersonRow; started: StartedSession };

export function createPasskeyService(deps: {
  repos: Repositories;
  audit: AuditRecorder;
  sessions: Pick<SessionService, 'start'>;
  now: () => Date;
  logger: Logger;
  limiter?: AttemptLimiter;
}) {
  const { repos, audit, sessions, now, logger } = deps;
  const limiter = deps.limiter ?? createAttemptLimiter({ repos, ...SIGN_IN_BRAKE, now });

  async function braked(client: string): Promise<void> {
    const wait = await limiter.blockedFor(signInClient(client));
    if (wait > 0) {
      throw new ApiError('sign_in_rate_limited', { message: `Too many failed sign-ins. Try again in ${wait} s.` }, { 'Retry-After': String(wait) });
    }
  }

  /** Runs a ceremony's verifying step: any failure is counted and answered with `refusal`; success forgives the client. */
  async function counted<T>(client: string, refusal: 'passkey_invalid' | 'invite_invalid', step: () => Promise<T>): Promise<T> {
    await braked(client);
    try {
      const result = await step();
      await limiter.reset(signInClient(client));
      return result;
    } catch (error) {
      if (!(error instanceof Refusal) && !(error instanceof ApiError && (error.code === 'passkey_invalid' || error.code === 'invite_invalid'))) throw error;
      logger.info({ reason: error.message }, 'passkey ceremony refused');
      await limiter.recordFailure(signInClient(client));
      throw error instanceof ApiError ? error : new ApiError(refusal);
    }
  }

  /** Takes the flow (single use) if it is of this kind and unexpired. */
  async function takeFlow(flow: string, kind: 'passkey_register' | 'passkey_sign_in'): Promise<string> {
    const row = await repos.signInFlows.take(digest(flow), now().toISOString());
    if (!row || row.kind !== kind) throw new Refusal(row ? `a ${row.kind} flow was sent to ${kind}` : 'no such flow (unknown, used or expired)');
    return row.data;
  }

  async function startFlow(kind: 'passkey_register' | 'passkey_sign_in', data: object): Promise<string> {
    const flow = newFlowHandle();
    const at = now();
    await repos.signInFlows.add(
      { idHash: digest(flow), kind, data: JSON.stringify(data), expiresAt: new Date(at.getTime() + FLOW_TTL_MS).toISOString() },
      at.toISOString(),
    );
    return flow;
  }

  async function enabledPerson(db: Repositories, personId: string): Promise<PersonRow> {
    const person = await db.people.get(personId);
    if (!person || person.disabledAt !== null) throw new Refusal(person ? 'the person is disabled' : 'the person is gone');
    return person;
  }

  return {
    /** POST /api/session/passkey/registration: the options for a new passkey for the invite's person. */
    async registrationOptions(
      inviteToken: string,
      publicOrigin: string,
      client: string,
    ): Promise<{ flow: string; options: PublicKeyCredentialCreationOptionsJSON; person: { name: string; role: Role } }> {
      return counted(client, 'invite_invalid', async () => {
        const invite = hashInviteToken(inviteToken);
        const found = await repos.invites.find(invite, now().toISOString());
        if (!found) throw new Refusal('no such invite (unknown, used or expired)');
        const person = await enabledPerson(repos, found.personId);
        const { rpID } = relyingParty(publicOrigin);
        const options = await (await webauthn()).generateRegistrationOptions({
          rpName: RP_NAME,
          rpID,
          userID: new Uint8Array(Buffer.from(person.id, 'utf8')),
          userName: person.email ?? person.name,
          userDisplayName: person.name,
          attestationType: 'none',
          excludeCredentials: (await repos.passkeys.listFor(person.id)).map((p) => ({ id: p.id, transports: transportsOf(p) })),
          authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
          supportedAlgorithmIDs: ALGORITHMS,
        });
        const flow = await startFlow('passkey_register', { challenge: options.challenge, invite, personId: person.id });
        return { flow, options, person: { name: person.name, role: person.role } };
      });
    },

    /**
     * POST /api/session/passkey/registration/verify: checks the new credential, then — in one
     * transaction — uses the invite (single use), stores the passkey, audits it and starts a session.
     */
    async register({ flow, response, publicOrigin, client, userAgent }: CeremonyInput<RegistrationResponseJSON>): Promise<SignedIn> {
      return counted(client, 'passkey_invalid', async () => {
        const data = parseRegisterFlow(await takeFlow(flow, 'passkey_register'));
        const { origin, rpID } = relyingParty(publicOrigin);
        const verification = await (await webauthn())
          .verifyRegistrationResponse({
            response,
            expectedChallenge: data.challenge,
            expectedOrigin: origin,
            expectedRPID: rpID,
            requireUserVerification: false,
            supportedAlgorithmIDs: ALGORITHMS,
          })
          .catch((error: Error) => {
            throw new Refusal(error.message);
          });
        if (!verification.verified) throw new Refusal('registration not verified');
        const { credential } = verification.registrationInfo;
        const at = now().toISOString();
        return repos.transaction(async (tx) => {
          const invite = await tx.invites.find(data.invite, at);
          if (!invite || invite.personId !== data.personId || !(await tx.invites.use(data.invite, at))) {
            throw new ApiError('invite_invalid');
          }
          const person = await enabledPerson(tx, data.personId).catch((error: unknown) => {
            if (error instanceof Refusal) throw new ApiError('invite_invalid', { message: 'This invite is for a person who is now disabled.' });
            throw error;
          });
          if (await tx.passkeys.get(credential.id)) throw new ApiError('passkey_invalid', { message: 'This passkey is already registered.' });
          await tx.passkeys.add(passkeyRow(credential, person.id, at));
          await audit.record(tx, {
            action: 'passkey.added',
            actor: { personId: person.id, deviceId: null },
            applicationId: null,
            detail: { credentialId: credential.id },
          });
          return { person, started: await sessions.start({ personId: person.id, method: 'passkey', userAgent }, tx) };
        });
      });
    },

    /** POST /api/session/passkey/options: a challenge for any of this site's passkeys (discoverable). */
    async signInOptions(publicOrigin: string): Promise<{ flow: string; options: PublicKeyCredentialRequestOptionsJSON }> {
      const options = await (await webauthn()).generateAuthenticationOptions({ rpID: relyingParty(publicOrigin).rpID, userVerification: 'preferred' });
      return { flow: await startFlow('passkey_sign_in', { challenge: options.challenge }), options };
    },

    /** POST /api/session/passkey: a session for the passkey's person, if the assertion verifies and they are enabled. */
    async signIn({ flow, response, publicOrigin, client, userAgent }: CeremonyInput<AuthenticationResponseJSON>): Promise<SignedIn> {
      return counted(client, 'passkey_invalid', async () => {
        const data = parseSignInFlow(await takeFlow(flow, 'passkey_sign_in'));
        const passkey = await repos.passkeys.get(response.id);
        if (!passkey) throw new Refusal('unknown credential');
        const person = await enabledPerson(repos, passkey.personId);
        if (response.response.userHandle !== undefined && response.response.userHandle !== userHandleOf(person.id)) {
          throw new Refusal('the user handle names someone else');
        }
        const { origin, rpID } = relyingParty(publicOrigin);
        const verification = await (await webauthn())
          .verifyAuthenticationResponse({
            response,
            expectedChallenge: data.challenge,
            expectedOrigin: origin,
            expectedRPID: rpID,
            credential: credentialOf(passkey),
            requireUserVerification: false,
          })
          .catch((error: Error) => {
            throw new Refusal(error.message);
          });
        if (!verification.verified) throw new Refusal('assertion not verified');
        const at = now().toISOString();
        return repos.transaction(async (tx) => {
          await tx.passkeys.used(passkey.id, verification.authenticationInfo.newCounter, at);
          return { person, started: await sessions.start({ personId: person.id, method: 'passkey', userAgent }, tx) };
        });
      });
    },
  };
}
