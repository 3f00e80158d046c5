/** Device pairing in the spirit of `stripe login`: a short one-time code, exchanged for a token. */
import type { Repositories, DeviceRow } from '../db/repositories.js';
import type { AuditRecorder } from '../audit.js';
import { ApiError } from '../api-error.js';
import { newId } from '../ids.js';
import { createAttemptLimiter, type AttemptLimiter } from './attempt-limiter.js';
import {
  CODE_TTL_MS,
  generateDeviceToken,
  generatePairingCode,
  hashDeviceToken,
  hashPairingCode,
  normalizePairingCode,
} from './codes.js';

export type PairingService = ReturnType<typeof createPairingService>;

/** Only note a device's activity this often, so authenticating stays a read. */
const LAST_SEEN_RESOLUTION_MS = 60_000;

export function createPairingService(deps: { repos: Repositories; audit: AuditRecorder; now: () => Date; limiter?: AttemptLimiter }) {
  const { repos, audit, now } = deps;
  const limiter = deps.limiter ?? createAttemptLimiter({ maxFailures: 5, windowMs: 60_000, now: () => now().getTime() });

  return {
    issueCode(): { code: string; expiresAt: Date } {
      const created = now();
      const expiresAt = new Date(created.getTime() + CODE_TTL_MS);
      const code = generatePairingCode();
      repos.pairingCodes.purge(created.toISOString());
      repos.pairingCodes.add(hashPairingCode(normalizePairingCode(code)!), created.toISOString(), expiresAt.toISOString());
      return { code, expiresAt };
    },

    pair(input: { code: string; deviceName: string }, client: string): { token: string; device: { id: string; name: string } } {
      const wait = limiter.blockedFor(client);
      if (wait > 0) {
        throw new ApiError('pairing_rate_limited', { message: `Too many pairing attempts. Try again in ${wait} s.` }, { 'Retry-After': String(wait) });
      }
      const normalized = normalizePairingCode(input.code);
      const at = now().toISOString();
      const consumed = normalized !== null && repos.pairingCodes.consume(hashPairingCode(normalized), at);
      if (!consumed) {
        limiter.recordFailure(client);
        throw new ApiError('pairing_code_invalid');
      }
      limiter.reset(client);
      const token = generateDeviceToken();
      const device: DeviceRow = { id: newId('dev'), name: input.deviceName, tokenHash: hashDeviceToken(token), createdAt: at, lastSeenAt: at, revokedAt: null };
      repos.devices.create(device);
      audit.record({ action: 'device.paired', deviceId: device.id, applicationId: null, detail: { name: device.name } });
      return { token, device: { id: device.id, name: device.name } };
    },

    authenticate(token: string): DeviceRow | null {
      if (!token.startsWith('svl_') || token.length > 200) return null;
      const device = repos.devices.activeByTokenHash(hashDeviceToken(token));
      if (!device) return null;
      const at = now();
      if (!device.lastSeenAt || at.getTime() - Date.parse(device.lastSeenAt) > LAST_SEEN_RESOLUTION_MS) {
        repos.devices.touch(device.id, at.toISOString());
      }
      return device;
    },

    revoke(deviceId: string, by: string): void {
      if (!repos.devices.revoke(deviceId, now().toISOString())) throw new ApiError('device_not_found');
      audit.record({ action: 'device.revoked', deviceId: by, applicationId: null, detail: { revokedDeviceId: deviceId } });
    },
  };
}
