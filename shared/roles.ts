/**
 * People's roles and what each may do: one table, read by the server (which refuses with 403
 * `forbidden`) and by the extension and console (which don't offer what would be refused).
 * Pure: no I/O.
 */

export const ROLES = ['viewer', 'member', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a request may need, from least to most:
 * - `read`: applications, statuses, `GET /api/me`, one's own devices and sessions (and revoking them);
 * - `write_test`: create applications; connect, replace or re-check a test key; validate-only; rotate test keys; the workflows;
 * - `write_live`: connect, replace or rotate in a live key (an organization key: live by Stripe's answer);
 * - `destroy`: remove an integration, delete an application, change its environment or its Stripe account (where an organization key's calls go);
 * - `administer`: people, roles, invites; anyone's devices and sessions; the audit log;
 * - `manage_alerts`: alert endpoints (where alerts go, their signing secrets) and their deliveries.
 */
export type Permission = 'read' | 'write_test' | 'write_live' | 'destroy' | 'administer' | 'manage_alerts';

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2 };

const ROLE_NEEDED: Record<Permission, Role> = {
  read: 'viewer',
  write_test: 'member',
  write_live: 'admin',
  destroy: 'admin',
  administer: 'admin',
  manage_alerts: 'admin',
};

/** What the permission lets a person do, to finish "Only an admin can …". */
const DOES: Record<Permission, string> = {
  read: 'read this',
  write_test: 'change applications and test keys',
  write_live: 'send live keys',
  destroy: 'remove integrations, delete applications or change their environment or Stripe account',
  administer: 'manage people, other people’s devices and sessions, and read the audit log',
  manage_alerts: 'manage alerts',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleNeeded(permission: Permission): Role {
  return ROLE_NEEDED[permission];
}

export function allows(role: Role, permission: Permission): boolean {
  return RANK[role] >= RANK[ROLE_NEEDED[permission]];
}

/** "Only an admin can send live keys." — the 403's message, and what the UI says instead of a control. */
export function forbiddenMessage(permission: Permission): string {
  const role = ROLE_NEEDED[permission];
  return `Only ${role === 'admin' ? 'an admin' : `a ${role} or above`} can ${DOES[permission]}.`;
}

/** A key's mode decides which permission sending it needs. */
export function permissionForKey(mode: 'test' | 'live'): Permission {
  return mode === 'live' ? 'write_live' : 'write_test';
}
