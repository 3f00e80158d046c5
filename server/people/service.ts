/**
 * People and their roles: listing, adding, changing (with the last-admin rule), invites, and the
 * person a pairing code is for. Who may call what is the routes' business (allow()); this is what
 * each change does, in one transaction with its audit event.
 */
import type { Person } from '../../shared/api.js';
import { ApiError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import type { Actor } from '../auth/principal.js';
import type { PersonRow, Repositories } from '../db/repositories.js';
import { newId } from '../ids.js';
import { leavesNoAdmin, personPatch, removesAnAdmin } from './admins.js';
import { generateInviteToken, hashInviteToken, INVITE_TTL_MS, inviteUrl } from './invite-token.js';
import { isUniqueViolation } from './unique-violation.js';

export type PeopleService = ReturnType<typeof createPeopleService>;

/**
 * The first person of a backend, made by its first pairing code (or by the migration of a backend
 * that had devices before people). A fixed id: two instances starting together on a new database
 * make one Owner, not two.
 */
export const OWNER = { id: 'per_owner', name: 'Owner', role: 'admin' } as const;

export function toPerson(row: PersonRow): Person {
  return { id: row.id, name: row.name, email: row.email, role: row.role, createdAt: row.createdAt, disabledAt: row.disabledAt };
}

export function createPeopleService(deps: {
  repos: Repositories;
  audit: AuditRecorder;
  now: () => Date;
  /** The console's public origin (server/public-origin.ts), for invite links. */
  publicOrigin: (requestUrl?: string) => string;
}) {
  const { repos, audit, now } = deps;

  async function findPerson(db: Repositories, id: string): Promise<PersonRow> {
    const person = await db.people.get(id);
    if (!person) throw new ApiError('person_not_found');
    return person;
  }

  function requireEnabled(person: PersonRow): PersonRow {
    if (person.disabledAt !== null) throw new ApiError('validation_failed', { message: 'This person is disabled: enable them first.' });
    return person;
  }

  /** The earliest enabled admin; on a backend without people, Owner, made now. */
  async function firstAdmin(): Promise<PersonRow> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await repos.transaction(async (tx) => {
          // People first, admins second: on PostgreSQL each statement sees what was committed before
          // it began, so an Owner another instance commits between the two reads is seen by the
          // second (the other order read "no admin", then "people", and refused to start).
          if ((await tx.people.list()).length > 0) {
            const [admin] = await tx.people.enabledAdmins();
            if (admin) return admin;
            // The last-admin rule keeps an enabled admin once there are people: none means none at all.
            throw new Error('This backend has people but no enabled admin.');
          }
          const owner: PersonRow = { ...OWNER, email: null, createdAt: now().toISOString(), disabledAt: null };
          await tx.people.create(owner);
          await audit.record(tx, {
            action: 'person.created',
            actor: null,
            applicationId: null,
            detail: { personId: owner.id, name: owner.name, role: owner.role },
          });
          return owner;
        });
      } catch (error) {
        if (attempt === 0 && isUniqueViolation(error)) continue; // another instance made Owner meanwhile: take theirs
        throw error;
      }
    }
  }

  return {
    get: (id: string) => findPerson(repos, id),

    list: () => repos.people.list(),

    /** By e-mail address (any case). */
    byEmail: (email: string) => repos.people.byEmail(email.trim().toLowerCase()),

    /** Whom a pairing code is for: the named person (who must be enabled), else the earliest enabled admin. */
    async pairingPerson(personId?: string): Promise<PersonRow> {
      return personId === undefined ? firstAdmin() : requireEnabled(await findPerson(repos, personId));
    },

    async create(input: { name: string; email?: string | null; role: PersonRow['role'] }, actor: Actor | null): Promise<PersonRow> {
      const email = input.email ? input.email.trim().toLowerCase() : null;
      const person: PersonRow = { id: newId('per'), name: input.name, email, role: input.role, createdAt: now().toISOString(), disabledAt: null };
      try {
        await repos.transaction(async (tx) => {
          if (email !== null && (await tx.people.byEmail(email))) throw new ApiError('email_taken');
          await tx.people.create(person);
          await audit.record(tx, {
            action: 'person.created',
            actor,
            applicationId: null,
            detail: { personId: person.id, name: person.name, role: person.role },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ApiError('email_taken'); // added by someone else meanwhile
        throw error;
      }
      return person;
    },

    /**
     * Renames, changes the role, disables or enables. Taking away the last enabled admin is refused
     * (409 last_admin): the enabled admins are locked first, so two concurrent demotions of the
     * last two admins cannot both pass. Disabling revokes the person's devices and sessions in the
     * same transaction.
     */
    async update(id: string, input: { name?: string; role?: PersonRow['role']; disabled?: boolean }, actor: Actor | null): Promise<PersonRow> {
      return repos.transaction(async (tx) => {
        const admins = input.role !== undefined || input.disabled === true ? await tx.people.enabledAdmins() : [];
        const before = await findPerson(tx, id);
        if (removesAnAdmin(before, input) && leavesNoAdmin(before, input, admins)) throw new ApiError('last_admin');
        const at = now().toISOString();
        const { patch, detail } = personPatch(before, input, at);
        if (Object.keys(patch).length === 0) return before;
        await tx.people.update(id, patch);
        if (patch.disabledAt) {
          detail.revokedDevices = await tx.devices.revokeAllOf(id, at);
          detail.revokedSessions = await tx.sessions.revokeAllOf(id, at);
        }
        await audit.record(tx, { action: 'person.updated', actor, applicationId: null, detail: { personId: id, ...detail } });
        return { ...before, ...patch };
      });
    },

    /** A sign-in enrolment link for the person: single use, 72 h. The link is shown once; only the token's digest is kept. */
    async invite(personId: string, actor: Actor | null, requestUrl?: string): Promise<{ url: string; expiresAt: string; person: PersonRow }> {
      const token = generateInviteToken();
      const created = now();
      const expiresAt = new Date(created.getTime() + INVITE_TTL_MS).toISOString();
      const person = await repos.transaction(async (tx) => {
        const found = requireEnabled(await findPerson(tx, personId));
        await tx.invites.add({ tokenHash: hashInviteToken(token), personId, createdAt: created.toISOString(), expiresAt, usedAt: null });
        await audit.record(tx, { action: 'invite.created', actor, applicationId: null, detail: { personId, name: found.name, expiresAt } });
        return found;
      });
      return { url: inviteUrl(deps.publicOrigin(requestUrl), token), expiresAt, person };
    },
  };
}
