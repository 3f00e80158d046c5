/**
 * Sending a key needs the right its mode asks for: a test key `write_test`, a live key
 * `write_live` (admins). Decided from the key's prefix alone, before anything calls Stripe, so a
 * refused live key is never checked, stored or logged. The routes that take a key check this
 * rather than a fixed permission, so that the 403 names the role the key needs (a viewer sending
 * a live key is told that only an admin can).
 */
import { parseKey } from '../../shared/keys.js';
import { permissionForKey } from '../../shared/roles.js';
import type { Principal } from '../auth/principal.js';
import { requirePermission } from '../auth/authorize.js';

/**
 * Refuses (403) unless the person may send this key. A key that doesn't parse needs `write_test`,
 * and then gets the integration service's own 422.
 */
export function requireKeyPermission(principal: Pick<Principal, 'person'>, apiKey: string): void {
  const parsed = parseKey(apiKey);
  requirePermission(principal, parsed.ok ? permissionForKey(parsed.mode) : 'write_test');
}
