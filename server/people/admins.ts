/** The rule that keeps a backend manageable: someone must stay an enabled admin. Pure. */
import type { PersonRow } from '../db/repositories.js';

export type PersonChange = { role?: PersonRow['role']; disabled?: boolean };

/** Whether the change takes an enabled admin away: a demotion or a disabling of one. */
export function removesAnAdmin(person: Pick<PersonRow, 'role' | 'disabledAt'>, change: PersonChange): boolean {
  if (person.role !== 'admin' || person.disabledAt !== null) return false;
  return (change.role !== undefined && change.role !== 'admin') || change.disabled === true;
}

/** Whether the change would leave no enabled admin, given the enabled admins now. */
export function leavesNoAdmin(
  person: Pick<PersonRow, 'id' | 'role' | 'disabledAt'>,
  change: PersonChange,
  enabledAdmins: Array<Pick<PersonRow, 'id'>>,
): boolean {
  return removesAnAdmin(person, change) && !enabledAdmins.some((admin) => admin.id !== person.id);
}

/**
 * What a PATCH changes, for the person row and the audit event: only the fields that differ.
 * `disabledAt` keeps its first time when a disabled person is disabled again.
 */
export function personPatch(
  before: PersonRow,
  input: { name?: string; role?: PersonRow['role']; disabled?: boolean },
  at: string,
): { patch: Partial<Pick<PersonRow, 'name' | 'role' | 'disabledAt'>>; detail: Record<string, unknown> } {
  const patch: Partial<Pick<PersonRow, 'name' | 'role' | 'disabledAt'>> = {};
  const detail: Record<string, unknown> = {};
  if (input.name !== undefined && input.name !== before.name) {
    patch.name = input.name;
    detail.name = { from: before.name, to: input.name };
  }
  if (input.role !== undefined && input.role !== before.role) {
    patch.role = input.role;
    detail.role = { from: before.role, to: input.role };
  }
  if (input.disabled !== undefined && input.disabled !== (before.disabledAt !== null)) {
    patch.disabledAt = input.disabled ? at : null;
    detail.disabled = input.disabled;
  }
  return { patch, detail };
}
