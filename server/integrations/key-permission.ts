/**
 * Sending a key needs the right its mode asks for: a test key `write_test`, a live key
 * `write_live` (admins). Decided from the key's prefix, before anything calls Stripe, so a refused
 * live key is never checked, stored or logged. An organization key's prefix doesn't say its mode:
 * it needs `write_test` to be checked, and then the right the mode Stripe answered asks for,
 * before anything is stored (`modeGate`). The routes that take a key check this rather than a
 * fixed permission, so that the 403 names the role the key needs (a viewer sending a live key is
 * told that only an admin can).
 */
import { parseKey, type KeyMode } from '../../shared/keys.js';
import { permissionForKey } from '../../shared/roles.js';
import type { Principal } from '../auth/principal.js';
import { requirePermission } from '../auth/authorize.js';

/**
 * Refuses (403) unless the person may send this key. A key that doesn't parse needs `write_test`,
 * and then gets the integration service's own 422; so does an organization key, until Stripe says its mode.
 */
export function requireKeyPermission(principal: Pick<Principal, 'person'>, apiKey: string): void {
  const parsed = parseKey(apiKey);
  requirePermission(principal, parsed.ok && parsed.mode ? permissionForKey(parsed.mode) : 'write_test');
}

/** After Stripe answered: refuses (403) a mode the person may not send (the integration service calls it before storing). */
export function modeGate(principal: Pick<Principal, 'person'>): (mode: KeyMode) => void {
  return (mode) => requirePermission(principal, permissionForKey(mode));
}
