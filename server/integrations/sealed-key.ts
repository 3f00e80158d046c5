/**
 * The stored key at rest: how a row's columns map to a sealed value, which row a sealed value is
 * bound to, and re-sealing every stored key under the current master key after a rotation.
 */
import type { IntegrationRow, Repositories } from '../db/repositories.js';
import type { Keyring } from '../crypto/keyring.js';

type SealedColumns = Pick<IntegrationRow, 'keyId' | 'sealedKey'>;

/** The sealed key is bound to its application: a sealed value copied to another row won't open. */
export const associatedData = (applicationId: string) => `stripe-integration:${applicationId}`;

export function sealToColumns(sealed: { keyId: string; sealed: string }): SealedColumns {
  return { keyId: sealed.keyId, sealedKey: sealed.sealed };
}

export function sealedOf(row: SealedColumns) {
  return { keyId: row.keyId, sealed: row.sealedKey };
}

/** The plaintext key of a stored row. */
export function openStoredKey(keyring: Keyring, row: SealedColumns & Pick<IntegrationRow, 'applicationId'>): string {
  return keyring.open(sealedOf(row), associatedData(row.applicationId));
}

/** Whether a stored row holds this very key: its fingerprint under the master key that sealed it. */
export function isSameKey(keyring: Keyring, row: Pick<IntegrationRow, 'keyId' | 'fingerprint'>, apiKey: string): boolean {
  const sealer = keyring.find(row.keyId);
  return sealer !== undefined && sealer.fingerprint(apiKey) === row.fingerprint;
}

/**
 * Master-key rotation: re-seals (and re-fingerprints) every stored key not sealed under the
 * current master key, one row at a time, each only if it is unchanged since it was read — a key
 * replaced meanwhile was sealed under the current key anyway. Returns how many it re-sealed.
 */
export async function resealAll({
  repos,
  keyring,
  onKeyChanged,
}: {
  repos: Repositories;
  keyring: Keyring;
  onKeyChanged: (applicationId: string) => void;
}): Promise<number> {
  const sealer = keyring.current;
  let resealed = 0;
  // A row changed under us is read again on the next pass; a bound keeps a pathological race finite.
  for (let pass = 0; pass < 1000; pass++) {
    const batch = await repos.integrations.sealedOtherThan(sealer.keyId, 100);
    if (batch.length === 0) break;
    for (const row of batch) {
      const apiKey = openStoredKey(keyring, row);
      const next = { ...sealToColumns(sealer.seal(apiKey, associatedData(row.applicationId))), fingerprint: sealer.fingerprint(apiKey) };
      if (await repos.integrations.reseal(row.applicationId, { keyId: row.keyId, sealedKey: row.sealedKey }, next)) {
        resealed++;
        onKeyChanged(row.applicationId);
      }
    }
  }
  return resealed;
}
