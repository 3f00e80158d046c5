/**
 * What the signed-in person's role lets them do, for every page: a control the role can't use is
 * not offered, and the page says why instead, in the words of the server's 403 (shared/roles.ts).
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Role } from '../../shared/api.js';
import { allows, forbiddenMessage, type Permission } from '../../shared/roles.js';

export const RoleContext = createContext<Role>('viewer');

/** Whether the signed-in person may do what needs `permission`. */
export function useAllowed(permission: Permission): boolean {
  return allows(useContext(RoleContext), permission);
}

/** "Only a member or above can change applications and test keys." — in place of the control. */
export function NotAllowed({ permission }: { permission: Permission }) {
  return <p class="muted not-allowed">{forbiddenMessage(permission)}</p>;
}
