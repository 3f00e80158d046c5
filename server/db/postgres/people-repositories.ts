/**
 * People and the credentials that act for them — devices, console sessions, invites, passkeys,
 * sign-ins in progress — on PostgreSQL. Part of ./repositories.ts: on the pool (`pool` given) or
 * on one transaction's connection (`pool` null).
 *
 * A unique value taken twice (an e-mail address, a cookie digest) throws drizzle's
 * DrizzleQueryError whose `cause` is node-postgres's DatabaseError with code 23505
 * (unique_violation) and `constraint` naming the constraint (e.g. people_email_unique).
 */
import { and, eq, getTableColumns, gt, isNull, lte, sql } from 'drizzle-orm';
import type pg from 'pg';
import { definedFields } from '../defined-fields.js';
import type { Repositories } from '../repositories.js';
import type { PgDb } from './repositories.js';
import { devices, invites, passkeys, people, sessions, signInFlows } from './schema.js';

export type PeopleRepositories = Pick<Repositories, 'people' | 'devices' | 'sessions' | 'invites' | 'passkeys' | 'signInFlows'>;

export function postgresPeopleRepositories(db: PgDb, pool: pg.Pool | null): PeopleRepositories {
  // Every authenticated request reads its device or its session, with its person: on the pool, a
  // prepared statement (parsed and planned once per connection); in a transaction, the same query.
  const activeDeviceQuery = db
    .select({ device: devices, person: people })
    .from(devices)
    .innerJoin(people, eq(people.id, devices.personId))
    .where(and(eq(devices.tokenHash, sql.placeholder('tokenHash')), isNull(devices.revokedAt), isNull(people.disabledAt)));
  const activeDevice = pool ? activeDeviceQuery.prepare('serval_active_device') : activeDeviceQuery;
  const activeSessionQuery = db
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
    );
  const activeSession = pool ? activeSessionQuery.prepare('serval_active_session') : activeSessionQuery;

  const personOf = async (id: string) => {
    const [row] = await db.select().from(people).where(eq(people.id, id));
    return row;
  };
  const changed = (result: { rowCount: number | null }) => result.rowCount ?? 0;

  return {
    people: {
      async create(row) {
        await db.insert(people).values(row);
      },
      get: personOf,
      async byEmail(email) {
        const [row] = await db.select().from(people).where(eq(people.email, email));
        return row;
      },
      list: () => db.select().from(people).orderBy(people.createdAt, people.id),
      async update(id, patch) {
        const set = definedFields(patch);
        if (Object.keys(set).length === 0) return (await personOf(id)) !== undefined;
        return changed(await db.update(people).set(set).where(eq(people.id, id))) > 0;
      },
      // FOR UPDATE: a concurrent demotion or disabling waits here until this transaction ends.
      enabledAdmins: () =>
        db
          .select()
          .from(people)
          .where(and(eq(people.role, 'admin'), isNull(people.disabledAt)))
          .orderBy(people.createdAt, people.id)
          .for('update'),
    },

    devices: {
      async create(row) {
        await db.insert(devices).values(row);
      },
      async activeByTokenHash(tokenHash) {
        const [row] = await activeDevice.execute({ tokenHash });
        return row;
      },
      listActive: (personId) =>
        db
          .select({ ...getTableColumns(devices), personName: people.name })
          .from(devices)
          .innerJoin(people, eq(people.id, devices.personId))
          .where(and(isNull(devices.revokedAt), personId === null ? undefined : eq(devices.personId, personId)))
          .orderBy(devices.createdAt, devices.id),
      async get(id) {
        const [row] = await db.select().from(devices).where(eq(devices.id, id));
        return row;
      },
      async revoke(id, at) {
        return (
          changed(
            await db
              .update(devices)
              .set({ revokedAt: at })
              .where(and(eq(devices.id, id), isNull(devices.revokedAt))),
          ) > 0
        );
      },
      async revokeAllOf(personId, at) {
        return changed(
          await db
            .update(devices)
            .set({ revokedAt: at })
            .where(and(eq(devices.personId, personId), isNull(devices.revokedAt))),
        );
      },
      async touch(id, at) {
        await db.update(devices).set({ lastSeenAt: at }).where(eq(devices.id, id));
      },
    },

    sessions: {
      async create(row) {
        await db.insert(sessions).values(row);
      },
      async active(cookieHash, now) {
        const [row] = await activeSession.execute({ cookieHash, now });
        return row;
      },
      listActive: (personId, now) =>
        db
          .select({ ...getTableColumns(sessions), personName: people.name })
          .from(sessions)
          .innerJoin(people, eq(people.id, sessions.personId))
          .where(and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now), personId === null ? undefined : eq(sessions.personId, personId)))
          .orderBy(sessions.createdAt, sessions.id),
      async get(id) {
        const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
        return row;
      },
      async touch(id, at) {
        await db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id));
      },
      async revoke(id, at) {
        return (
          changed(
            await db
              .update(sessions)
              .set({ revokedAt: at })
              .where(and(eq(sessions.id, id), isNull(sessions.revokedAt))),
          ) > 0
        );
      },
      async revokeAllOf(personId, at) {
        return changed(
          await db
            .update(sessions)
            .set({ revokedAt: at })
            .where(and(eq(sessions.personId, personId), isNull(sessions.revokedAt))),
        );
      },
    },

    invites: {
      async add(row) {
        await db.insert(invites).values(row);
      },
      async find(tokenHash, now) {
        const [row] = await db
          .select()
          .from(invites)
          .where(and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt), gt(invites.expiresAt, now)));
        return row;
      },
      // One UPDATE: of concurrent users, the first to lock the row marks it; the others then find it used.
      async use(tokenHash, now) {
        return (
          changed(
            await db
              .update(invites)
              .set({ usedAt: now })
              .where(and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt), gt(invites.expiresAt, now))),
          ) > 0
        );
      },
    },

    passkeys: {
      async add(row) {
        await db.insert(passkeys).values(row);
      },
      async get(id) {
        const [row] = await db.select().from(passkeys).where(eq(passkeys.id, id));
        return row;
      },
      listFor: (personId) => db.select().from(passkeys).where(eq(passkeys.personId, personId)).orderBy(passkeys.createdAt, passkeys.id),
      async used(id, counter, at) {
        await db.update(passkeys).set({ counter, lastUsedAt: at }).where(eq(passkeys.id, id));
      },
    },

    signInFlows: {
      async add(row, now) {
        await db.delete(signInFlows).where(lte(signInFlows.expiresAt, now));
        await db.insert(signInFlows).values(row);
      },
      // DELETE … RETURNING: whoever deletes the row has it; a second taker finds nothing.
      async take(idHash, now) {
        const [row] = await db
          .delete(signInFlows)
          .where(and(eq(signInFlows.idHash, idHash), gt(signInFlows.expiresAt, now)))
          .returning();
        return row;
      },
    },
  };
}
