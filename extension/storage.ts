/**
 * Everything the extension keeps in browser storage, in one place. The device token is here;
 * the Stripe key never is (test/extension/storage-never-holds-a-key.test.ts checks it).
 */
import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';
import type { Device, PairedPerson } from './messaging/protocol';

export const DEFAULT_BACKEND_URL = 'http://127.0.0.1:8787';

/** `person`: the device's person, name and role, kept for display; absent in pairings stored before people existed. */
export type Pairing = { backendUrl: string; token: string; device: Device; pairedAt: string; person?: PairedPerson };

/** The last answer to the status poll, behind the toolbar badge. */
export type StatusSnapshot = {
  checkedAt: string;
  reachable: boolean;
  connected: number;
  needsAttention: number;
  /** Keys older than the backend's SERVAL_KEY_MAX_AGE_DAYS; absent in snapshots from before key-age tracking. */
  rotationDue?: number;
  /** Keys that stop working at Stripe within 24 hours (rotated there with an Expiration); absent in older snapshots. */
  expiringSoon?: number;
  applications: number;
};

export const pairingItem = storage.defineItem<Pairing | null>('local:pairing', { fallback: null });

/** The Backend URL last typed, kept after a disconnect so that pairing again is one code away. */
export const backendUrlItem = storage.defineItem<string>('local:backendUrl', { fallback: DEFAULT_BACKEND_URL });

export const defaultApplicationItem = storage.defineItem<string | null>('local:defaultApplicationId', { fallback: null });

/** Set when the backend answered 401: the device was revoked and the UI goes back to pairing. */
export const unpairedReasonItem = storage.defineItem<'revoked' | null>('local:unpairedReason', { fallback: null });

export const lastStatusItem = storage.defineItem<StatusSnapshot | null>('local:lastStatus', { fallback: null });

/**
 * Keeps who the device belongs to beside its pairing, as the backend just said, when that pairing
 * is still the one asked about (not disconnected or paired again meanwhile). Writes only a change.
 */
export async function rememberPerson(token: string, { id, name, role }: PairedPerson): Promise<void> {
  const pairing = await pairingItem.getValue();
  if (pairing?.token !== token) return;
  const known = pairing.person;
  if (known?.id === id && known.name === name && known.role === role) return;
  await pairingItem.setValue({ ...pairing, person: { id, name, role } });
}

/**
 * Keeps storage.local — the device token — from content scripts, which may read it by default.
 * Chrome 102+ only: Firefox has no setAccessLevel, and its content scripts keep that access.
 * The setting does not outlive the browser session, so the background runs this at every start.
 */
export async function restrictStorageToExtension(): Promise<void> {
  if (typeof browser.storage.local.setAccessLevel !== 'function') return;
  await browser.storage.local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });
}
