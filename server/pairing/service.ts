/** Device pairing in the spirit of `stripe login`: a short one-time code, exchanged for a token. */
import type { Repositories, DeviceRow } from '../db/repositories.js';
import type { AuditRecorder } from '../audit.js';
import { ApiError } from '../api-error.js';
import { newId } from '../ids.js';
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

export function createPairingService(deps: {
  repos: Repositories;
  audit: AuditRecorder;
  now: () => Date;
  /** The keyed digests of a code, under each master key held; the first is what a new code is stored as (Keyring.pairingCodeDigests). */
  digestCode: (normalizedCode: string) => string[];
  limiter?: AttemptLimiter;
}) {
  const { repos, audit, now, digestCode } = deps;
  const limiter = deps.limiter ?? createAttemptLimiter({ repos, ...CLIENT_BRAKE, now });

  return {
    async issueCode(): Promise<{ code: string; expiresAt: Date }> {
      const created = now();
      const expiresAt = new Date(created.getTime() + CODE_TTL_MS);
      const code = generatePairingCode();
      await repos.pairingCodes.purge(created.toISOString());
      await repos.pairingCodes.add(digestCode(normalizePairingCode(code)!)[0], created.toISOString(), expiresAt.toISOString());
      return { code, expiresAt };
    },

    async pair(input: { code: string; deviceName: string }, client: string): Promise<{ token: string; device: { id: string; name: string } }> {
      const wait = await limiter.blockedFor(client);
      if (wait > 0) {
        throw new ApiError('pairing_rate_limited', { message: `Too many pairing attempts. Try again in ${wait} s.` }, { 'Retry-After': String(wait) });
      }
      const normalized = normalizePairingCode(input.code);
      const at = now().toISOString();
      const token = generateDeviceToken();
      const device: DeviceRow = { id: newId('dev'), name: input.deviceName, tokenHash: hashDeviceToken(token), createdAt: at, lastSeenAt: at, revokedAt: null };
      // The code is used up only together with the device it pairs.
      const paired =
        normalized !== null &&
        (await repos.transaction(async (tx) => {
          if (!(await tx.pairingCodes.consume(digestCode(normalized), at, MAX_CODE_FAILURES))) return false;
          await tx.devices.create(device);
          await audit.record(tx, { action: 'device.paired', deviceId: device.id, applicationId: null, detail: { name: device.name } });
          return true;
        }));
      if (!paired) {
        await repos.pairingCodes.recordFailure(at);
        await limiter.recordFailure(client);
        if (normalized !== null && (await repos.pairingCodes.retired(digestCode(normalized), MAX_CODE_FAILURES))) {
          throw new ApiError('pairing_code_invalid', {
            message: 'This pairing code was retired: too many wrong codes were tried on this backend while it was valid.',
          });
        }
        throw new ApiError('pairing_code_invalid');
      }
      await limiter.reset(client);
      return { token, device: { id: device.id, name: device.name } };
    },

    /** Every authenticated request asks the database: a device revoked through any instance is refused at once. */
    async authenticate(token: string): Promise<DeviceRow | null> {
      if (!token.startsWith('svl_') || token.length > 200) return null;
      const device = await repos.devices.activeByTokenHash(hashDeviceToken(token));
      if (!device) return null;
      const at = now();
      if (!device.lastSeenAt || at.getTime() - Date.parse(device.lastSeenAt) > LAST_SEEN_RESOLUTION_MS) {
        await repos.devices.touch(device.id, at.toISOString());
      }
      return device;
    },

    async revoke(deviceId: string, by: string): Promise<void> {
      await repos.transaction(async (tx) => {
        if (!(await tx.devices.revoke(deviceId, now().toISOString()))) throw new ApiError('device_not_found');
        await audit.record(tx, { action: 'device.revoked', deviceId: by, applicationId: null, detail: { revokedDeviceId: deviceId } });
      });
    },
  };
}
