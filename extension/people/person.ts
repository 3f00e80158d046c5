/**
 * The person a browser is paired as, in words, and what their role lets the card offer. Pure: the
 * backend decides every request; this only keeps the extension from offering what it would refuse.
 */
import type { KeyMode } from '../../shared/keys.js';
import { allows, forbiddenMessage, permissionForKey } from '../../shared/roles.js';
import { roleLabel } from '../../ui/labels';
import type { PairedPerson } from '../messaging/protocol';

/** "a member": the role without the name, for the card, whose text the Stripe page can read. */
export function roleInWords(role: PairedPerson['role']): string {
  return role === 'admin' ? 'an admin' : `a ${role}`;
}

/** "Ana Lima (Member)" */
export function personLabel(person: Pick<PairedPerson, 'name' | 'role'>): string {
  return `${person.name} (${roleLabel(person.role)})`;
}

/**
 * Why this person may not send a key of this mode ("Only an admin can send live keys."), or null
 * when they may — or when the backend has not said who they are: then it decides, and a refusal
 * is shown as its 403.
 */
export function sendRefusal(person: Pick<PairedPerson, 'role'> | null, mode: KeyMode): string | null {
  if (!person) return null;
  const permission = permissionForKey(mode);
  return allows(person.role, permission) ? null : forbiddenMessage(permission);
}

/** What a viewer is told in the popup and the options page, where Re-check is not offered to them. */
export function changeRefusal(person: Pick<PairedPerson, 'role'> | null): string | null {
  if (!person || allows(person.role, 'write_test')) return null;
  return forbiddenMessage('write_test');
}
