/**
 * People and the credentials that act for them — devices, console sessions, invites, passkeys,
 * sign-ins in progress — on SQLite. Part of ./repositories.ts, which runs each method as one
 * synchronous statement (`op`: from outside a transaction, only while none is open).
 *
 * A unique value taken twice (an e-mail address, a cookie digest) throws better-sqlite3's own
 * SqliteError (drizzle does not wrap it on SQLite) with code SQLITE_CONSTRAINT_UNIQUE
 * (SQLITE_CONSTRAINT_PRIMARYKEY for a primary key).
 */
import { and, eq, getTableColumns, gt, isNull, lte, sql } from 'drizzle-orm';
import { definedFields } from '../defined-fields.js';
import type { DeviceRow, InviteRow, PasskeyRow, PersonRow, Repositories, SessionRow, SignInFlowRow } from '../repositories.js';
import { preparedOnFirstUse } from './prepared.js';
import type { SqliteDb } from './repositories.js';
import { devices, invites, passkeys, people, sessions, signInFlows } from './schema.js';

export type PeopleRepositories = Pick<Repositories, 'people' | 'devices' | 'sessions' | 'invites' | 'passkeys' | 'signInFlows'>;

/** How ./repositories.ts runs a synchronous statement as a repository method. */
export type Op = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => Promise<R>;

type PersonPatch = Parameters<Repositories['people']['update']>[1];

/** The statements are made once per database; the methods once per `op` (outside and inside a transaction). */
export function sqlitePeopleRepositories(db: SqliteDb): (op: Op) => PeopleRepositories {
  // Every authenticated request reads its device or its session, with its person: prepared once.
  const activeDevice = preparedOnFirstUse(() =>
    db
      .select({ device: devices, person: people })
      .from(devices)
      .innerJoin(people, eq(people.id, devices.personId))
      .where(and(eq(devices.tokenHash, sql.placeholder('tokenHash')), isNull(devices.revokedAt), isNull(people.disabledAt)))
      .prepare(),
  );
  const activeSession = preparedOnFirstUse(() =>
    db
      .select({ session: sessions, person: people })
      .from(sessions)
      .innerJoin(people, eq(people.id, sessions.personId))
      .where(
        and(
          eq(sessions.cookieHash, sql.placeholder('cookieHash')),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, sql.placeholder('now')),
          isNull(people.disabledAt),
        ),
      )
      .prepare(),
  );

  const personOf = (id: string) => db.select().from(people).where(eq(people.id, id)).get();

  return (op) => ({
    people: {
      create: op((row: PersonRow) => {
        db.insert(people).values(row).run();
      }),
      get: op(personOf),
      byEmail: op((email: string) => db.select().from(people).where(eq(people.email, email)).get()),
      list: op(() => db.select().from(people).orderBy(people.createdAt, people.id).all()),
      update: op((id: string, patch: PersonPatch) => {
        const set = definedFields(patch);
        if (Object.keys(set).length === 0) return personOf(id) !== undefined;
        return db.update(people).set(set).where(eq(people.id, id)).run().changes > 0;
      }),
      // BEGIN IMMEDIATE already holds the database's write lock for the whole transaction.
      enabledAdmins: op(() =>
        db
          .select()
          .from(people)
          .where(and(eq(people.role, 'admin'), isNull(people.disabledAt)))
          .orderBy(people.createdAt, people.id)
          .all(),
      ),
    },

    devices: {
      create: op((row: DeviceRow) => {
        db.insert(devices).values(row).run();
      }),
      activeByTokenHash: op((tokenHash: string) => activeDevice().get({ tokenHash })),
      listActive: op((personId: string | null) =>
        db
          .select({ ...getTableColumns(devices), personName: people.name })
          .from(devices)
          .innerJoin(people, eq(people.id, devices.personId))
          .where(and(isNull(devices.revokedAt), personId === null ? undefined : eq(devices.personId, personId)))
          .orderBy(devices.createdAt, devices.id)
          .all(),
      ),
      get: op((id: string) => db.select().from(devices).where(eq(devices.id, id)).get()),
      revoke: op(
        (id: string, at: string) =>
          db
            .update(devices)
            .set({ revokedAt: at })
            .where(and(eq(devices.id, id), isNull(devices.revokedAt)))
            .run().changes > 0,
      ),
      revokeAllOf: op(
        (personId: string, at: string) =>
          db
            .update(devices)
            .set({ revokedAt: at })
            .where(and(eq(devices.personId, personId), isNull(devices.revokedAt)))
            .run().changes,
      ),
      touch: op((id: string, at: string) => {
        db.update(devices).set({ lastSeenAt: at }).where(eq(devices.id, id)).run();
      }),
    },

    sessions: {
      create: op((row: SessionRow) => {
        db.insert(sessions).values(row).run();
      }),
      active: op((cookieHash: string, now: string) => activeSession().get({ cookieHash, now })),
      listActive: op((personId: string | null, now: string) =>
        db
          .select({ ...getTableColumns(sessions), personName: people.name })
          .from(sessions)
          .innerJoin(people, eq(people.id, sessions.personId))
          .where(and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now), personId === null ? undefined : eq(sessions.personId, personId)))
          .orderBy(sessions.createdAt, sessions.id)
          .all(),
      ),
      get: op((id: string) => db.select().from(sessions).where(eq(sessions.id, id)).get()),
      touch: op((id: string, at: string) => {
        db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id)).run();
      }),
      revoke: op(
        (id: string, at: string) =>
          db
            .update(sessions)
            .set({ revokedAt: at })
            .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
            .run().changes > 0,
      ),
      revokeAllOf: op(
        (personId: string, at: string) =>
          db
            .update(sessions)
            .set({ revokedAt: at })
            .where(and(eq(sessions.personId, personId), isNull(sessions.revokedAt)))
            .run().changes,
      ),
    },

    invites: {
      add: op((row: InviteRow) => {
        db.insert(invites).values(row).run();
      }),
      find: op((tokenHash: string, now: string) =>
        db
          .select()
          .from(invites)
          .where(and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt), gt(invites.expiresAt, now)))
          .get(),
      ),
      use: op(
        (tokenHash: string, now: string) =>
          db
            .update(invites)
            .set({ usedAt: now })
            .where(and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt), gt(invites.expiresAt, now)))
            .run().changes > 0,
      ),
    },

    passkeys: {
      add: op((row: PasskeyRow) => {
        db.insert(passkeys).values(row).run();
      }),
      get: op((id: string) => db.select().from(passkeys).where(eq(passkeys.id, id)).get()),
      listFor: op((personId: string) => db.select().from(passkeys).where(eq(passkeys.personId, personId)).orderBy(passkeys.createdAt, passkeys.id).all()),
      used: op((id: string, counter: number, at: string) => {
        db.update(passkeys).set({ counter, lastUsedAt: at }).where(eq(passkeys.id, id)).run();
      }),
    },

    signInFlows: {
      add: op((row: SignInFlowRow, now: string) => {
        db.delete(signInFlows).where(lte(signInFlows.expiresAt, now)).run();
        db.insert(signInFlows).values(row).run();
      }),
      // DELETE … RETURNING: whoever deletes the row has it; a second taker finds nothing.
      take: op((idHash: string, now: string) =>
        db
          .delete(signInFlows)
          .where(and(eq(signInFlows.idHash, idHash), gt(signInFlows.expiresAt, now)))
          .returning()
          .get(),
      ),
    },
  });
}
