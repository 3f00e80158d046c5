/**
 * Device pairing in the spirit of `stripe login`: a short one-time code, bound to a person,
 * exchanged for a device token that acts for that person (or, by the console's code sign-in,
 * redeemed for a session: see `redeem`).
 */
import { ApiError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { requirePermission } from '../auth/authorize.js';
import type { DeviceRow, PersonRow, Repositories } from '../db/repositories.js';
import { newId } from '../ids.js';
import type { PeopleService } from '../people/service.js';
import { createAttemptLimiter, type AttemptLimiter } from './attempt-limiter.js';
import { CODE_TTL_MS, generateDeviceToken, generatePairingCode, hashDeviceToken, normalizePairingCode } from './codes.js';

export type PairingService = ReturnType<typeof createPairingService>;

/** Only note a device's activity this often, so authenticating stays a read. */
const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * Guessing is stopped per code, not per client: every wrong code tried counts against each code
 * that is live, and a code is retired after this many — so a code can't be found by guessing
 * (10 tries in ~10^12), and a process that sends wrong codes doesn't lock anyone out: a fresh code
 * (`npm run pair`) works at once.
 */
export const MAX_CODE_FAILURES = 10;
/** And a brake on floods from one client address, across instances. */
export const CLIENT_BRAKE = { maxFailures: 30, windowMs: 60_000 };

/** What using a code found: its person, or why not. */
type Use<T> = { ok: true; person: PersonRow; value: T } | { ok: false; disabled: boolean };

export function createPairingService(deps: {
  repos: Repositories;
  audit: AuditRecorder;
  people: Pick<PeopleService, 'pairingPerson'>;
  now: () => Date;
  /** The keyed digests of a code, under each master key held; the first is what a new code is stored as (Keyring.pairingCodeDigests). */
  digestCode: (normalizedCode: string) => string[];
  limiter?: AttemptLimiter;
}) {
  const { repos, audit, people, now, digestCode } = deps;
  const limiter = deps.limiter ?? createAttemptLimiter({ repos, ...CLIENT_BRAKE, now });

  /**
   * The checks every use of a code goes through: the client's brake, the code (single use, unexpired,
   * not retired), its person (still enabled). `then` runs in the transaction that uses the code up,
   * so a code is spent only together with what it was exchanged for.
   */
  async function useCode<T>(
    code: string,
    client: string,
    then: (tx: Repositories, person: PersonRow, at: string) => Promise<T>,
  ): Promise<{ person: PersonRow; value: T }> {
    const wait = await limiter.blockedFor(client);
    if (wait > 0) {
      throw new ApiError('pairing_rate_limited', { message: `Too many pairing attempts. Try again in ${wait} s.` }, { 'Retry-After': String(wait) });
    }
    const normalized = normalizePairingCode(code);
    const at = now().toISOString();
    const used: Use<T> =
      normalized === null
        ? { ok: false, disabled: false }
        : await repos.transaction(async (tx): Promise<Use<T>> => {
            const personId = await tx.pairingCodes.consume(digestCode(normalized), at, MAX_CODE_FAILURES);
            if (personId === null) return { ok: false, disabled: false };
            const person = await tx.people.get(personId);
            // Disabled since the code was issued: the code is spent and pairs no one.
            if (!person || person.disabledAt !== null) return { ok: false, disabled: true };
            return { ok: true, person, value: await then(tx, person, at) };
          });
    if (used.ok) {
      await limiter.reset(client);
      return used;
    }
    if (used.disabled) throw new ApiError('pairing_code_invalid', { message: "This pairing code's person has been disabled." });
    await repos.pairingCodes.recordFailure(at);
    await limiter.recordFailure(client);
    if (normalized !== null && (await repos.pairingCodes.retired(digestCode(normalized), MAX_CODE_FAILURES))) {
      throw new ApiError('pairing_code_invalid', {
        message: 'This pairing code was retired: too many wrong codes were tried on this backend while it was valid.',
      });
    }
    throw new ApiError('pairing_code_invalid');
  }

  return {
    /**
     * A code for the person (who must be enabled); without one, for the earliest enabled admin —
     * on a backend without people, Owner, made now (the start-up code and `npm run pair`).
     */
    async issueCode(personId?: string): Promise<{ code: string; expiresAt: Date; person: PersonRow }> {
      const person = await people.pairingPerson(personId);
      const created = now();
      const expiresAt = new Date(created.getTime() + CODE_TTL_MS);
      const code = generatePairingCode();
      await repos.pairingCodes.purge(created.toISOString());
      await repos.pairingCodes.add(digestCode(normalizePairingCode(code)!)[0], person.id, created.toISOString(), expiresAt.toISOString());
      return { code, expiresAt, person };
    },

    /** The extension's pairing: the code's person gets a new device, whose token is returned once. */
    async pair(input: { code: string; deviceName: string }, client: string): Promise<{ token: string; device: { id: string; name: string } }> {
      const token = generateDeviceToken();
      const { value: device } = await useCode(input.code, client, async (tx, person, at) => {
        const row: DeviceRow = {
          id: newId('dev'),
          personId: person.id,
          name: input.deviceName,
          tokenHash: hashDeviceToken(token),
          createdAt: at,
          lastSeenAt: at,
          revokedAt: null,
        };
        await tx.devices.create(row);
        await audit.record(tx, { action: 'device.paired', actor: { personId: person.id, deviceId: row.id }, applicationId: null, detail: { name: row.name } });
        return row;
      });
      return { token, device: { id: device.id, name: device.name } };
    },

    /** The console's code sign-in: the same checks and brake as `pair`, and the code is spent, but no device is made. */
    async redeem(code: string, client: string): Promise<PersonRow> {
      return (await useCode(code, client, async () => undefined)).person;
    },

    /** Every authenticated request asks the database: a device revoked, or a person disabled, through any instance is refused at once. */
    async authenticate(token: string): Promise<{ device: DeviceRow; person: PersonRow } | null> {
      if (!token.startsWith('svl_') || token.length > 200) return null;
      const found = await repos.devices.activeByTokenHash(hashDeviceToken(token));
      if (!found) return null;
      const at = now();
      if (!found.device.lastSeenAt || at.getTime() - Date.parse(found.device.lastSeenAt) > LAST_SEEN_RESOLUTION_MS) {
        await repos.devices.touch(found.device.id, at.toISOString());
      }
      return found;
    },

    /** Revokes a device: one's own, or (an admin) anyone's. */
    async revoke(deviceId: string, principal: Principal): Promise<void> {
      await repos.transaction(async (tx) => {
        const device = await tx.devices.get(deviceId);
        if (!device || device.revokedAt !== null) throw new ApiError('device_not_found');
        if (device.personId !== principal.person.id) requirePermission(principal, 'administer');
        await tx.devices.revoke(deviceId, now().toISOString());
        await audit.record(tx, {
          action: 'device.revoked',
          actor: actorOf(principal),
          applicationId: null,
          detail: { revokedDeviceId: deviceId, personId: device.personId },
        });
      });
    },
  };
}
