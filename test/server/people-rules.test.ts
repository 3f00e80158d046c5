/** The pure rules under people and roles: the last admin, what a PATCH changes, invite tokens, which permission a key needs. */
import { describe, expect, it } from 'vitest';
import type { PersonRow } from '../../server/db/repositories.js';
import { requireKeyPermission } from '../../server/integrations/key-permission.js';
import { leavesNoAdmin, personPatch, removesAnAdmin } from '../../server/people/admins.js';
import { generateInviteToken, hashInviteToken, inviteUrl } from '../../server/people/invite-token.js';
import { isUniqueViolation } from '../../server/people/unique-violation.js';

const person = (over: Partial<PersonRow> = {}): PersonRow => ({
  id: 'per_a',
  name: 'Ada',
  email: null,
  role: 'admin',
  createdAt: '2026-01-01T00:00:00.000Z',
  disabledAt: null,
  ...over,
});

describe('the last admin', () => {
  it('a demotion or a disabling of an enabled admin removes an admin; nothing else does', () => {
    expect(removesAnAdmin(person(), { role: 'member' })).toBe(true);
    expect(removesAnAdmin(person(), { disabled: true })).toBe(true);
    expect(removesAnAdmin(person(), { role: 'admin', disabled: false })).toBe(false);
    expect(removesAnAdmin(person({ role: 'member' }), { role: 'viewer', disabled: true })).toBe(false);
    expect(removesAnAdmin(person({ disabledAt: '2026-02-01T00:00:00.000Z' }), { role: 'viewer' })).toBe(false);
  });

  it('is refused only when no other enabled admin is left', () => {
    expect(leavesNoAdmin(person(), { role: 'member' }, [{ id: 'per_a' }])).toBe(true);
    expect(leavesNoAdmin(person(), { disabled: true }, [])).toBe(true);
    expect(leavesNoAdmin(person(), { role: 'member' }, [{ id: 'per_a' }, { id: 'per_b' }])).toBe(false);
    expect(leavesNoAdmin(person(), { name: 'x' } as never, [{ id: 'per_a' }])).toBe(false);
  });
});

describe('what a PATCH of a person changes', () => {
  const at = '2026-03-01T00:00:00.000Z';
  it('only the fields that differ, with from/to for the audit event', () => {
    expect(personPatch(person(), { name: 'Ada L.', role: 'admin' }, at)).toEqual({
      patch: { name: 'Ada L.' },
      detail: { name: { from: 'Ada', to: 'Ada L.' } },
    });
    expect(personPatch(person(), { role: 'viewer', disabled: true }, at)).toEqual({
      patch: { role: 'viewer', disabledAt: at },
      detail: { role: { from: 'admin', to: 'viewer' }, disabled: true },
    });
    expect(personPatch(person(), { name: 'Ada', disabled: false }, at)).toEqual({ patch: {}, detail: {} });
  });

  it('a disabled person disabled again keeps the first time; enabling clears it', () => {
    const disabled = person({ disabledAt: '2026-02-01T00:00:00.000Z' });
    expect(personPatch(disabled, { disabled: true }, at).patch).toEqual({});
    expect(personPatch(disabled, { disabled: false }, at)).toEqual({ patch: { disabledAt: null }, detail: { disabled: false } });
  });
});

describe('invite tokens', () => {
  it('are inv_ and 256 random bits, stored as their SHA-256, carried in the link fragment', () => {
    const a = generateInviteToken();
    expect(a).toMatch(/^inv_[A-Za-z0-9_-]{43}$/);
    expect(generateInviteToken()).not.toBe(a);
    expect(hashInviteToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashInviteToken(a)).not.toContain(a.slice(4));
    expect(inviteUrl('http://localhost:8787', a)).toBe(`http://localhost:8787/invite#${a}`);
  });
});

describe('which permission a key needs', () => {
  const as = (role: PersonRow['role']) => ({ person: person({ role }) });
  const test = `sk_test_${'a'.repeat(30)}`;
  const live = `rk_live_${'a'.repeat(30)}`;

  it('a test key a member; a live key an admin; a key that does not parse a member (then its own 422)', () => {
    expect(() => requireKeyPermission(as('member'), test)).not.toThrow();
    expect(() => requireKeyPermission(as('member'), live)).toThrow(
      expect.objectContaining({ code: 'forbidden', message: 'Only an admin can send live keys.' }),
    );
    expect(() => requireKeyPermission(as('admin'), live)).not.toThrow();
    expect(() => requireKeyPermission(as('viewer'), test)).toThrow(expect.objectContaining({ message: expect.stringMatching(/^Only a member or above/) }));
    expect(() => requireKeyPermission(as('viewer'), live)).toThrow(expect.objectContaining({ message: 'Only an admin can send live keys.' }));
    expect(() => requireKeyPermission(as('viewer'), 'pk_live_nope')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => requireKeyPermission(as('member'), 'pk_live_nope')).not.toThrow();
  });
});

describe('a unique value taken', () => {
  it('is known on both dialects, through drizzle’s wrapping', () => {
    expect(isUniqueViolation(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(true);
    expect(isUniqueViolation(new Error('Failed query', { cause: Object.assign(new Error('dup'), { code: '23505' }) }))).toBe(true);
    expect(isUniqueViolation(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }))).toBe(false);
    expect(isUniqueViolation('23505')).toBe(false);
  });
});
