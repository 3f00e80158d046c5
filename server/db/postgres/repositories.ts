/** The repositories on PostgreSQL (node-postgres, pooled). Locks are row locks; claims skip rows another instance holds. */
import { and, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, isNull, lt, ne, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import { PgDialect, type PgDatabase } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { summaryOf, summaryQuery, type SqlRunner, type SummaryRow } from '../queries.js';
import type { ApplicationRow, AuditEntryRow, IntegrationRow, Repositories } from '../repositories.js';
import { postgresAlertsRepositories } from './alerts-repositories.js';
import { postgresPeopleRepositories } from './people-repositories.js';
import * as schema from './schema.js';

const { applications, auditEvents, pairingCodes, pairingFailures, people, settings, stripeIntegrations } = schema;

/** pg_advisory_xact_lock's key for "claiming due re-checks": the same number in every instance. */
const RECHECK_CLAIM_LOCK = 0x5e4a1_c1a13;

/** The pool, or a transaction on one of its connections: the same query builder. */
export type PgDb = PgDatabase<NodePgQueryResultHKT, typeof schema>;

/** The shared SQL (../queries.ts) on the pool or a connection. */
export function postgresRunner(db: PgDb): SqlRunner {
  return {
    rows: async <R>(query: SQL) => (await db.execute(query)).rows as R[], // drizzle types them as its QueryResultRow
    run: async (query) => {
      await db.execute(query);
    },
    tableExists: async (name) => {
      const { rows } = await db.execute<{ exists: boolean }>(sql`select to_regclass(${name}) is not null as exists`);
      return rows[0]?.exists === true;
    },
  };
}

/** The summary's text with its cut-off as `$1`, to run as a prepared statement. */
const SUMMARY_TEXT = new PgDialect().sqlToQuery(summaryQuery(sql.placeholder('rotationDueBefore'), sql.placeholder('expiringBefore'))).sql;

/**
 * The repositories on the pool (`pool` given), or on one transaction's connection (`pool` null).
 *
 * The reads every authenticated request makes — its device or session with its person
 * (./people-repositories.ts), and the status summary — run on the pool as prepared statements,
 * which PostgreSQL parses and plans once per connection instead of for every request (and we build
 * the SQL once instead of for every request). A transaction runs the same queries unprepared on
 * its own connection.
 */
export function createPostgresRepositories(db: PgDb, pool: pg.Pool | null): Repositories {
  const repos: Repositories = {
    async transaction(fn) {
      if (!pool) return fn(repos); // nested: part of the open transaction
      return db.transaction((tx) => fn(createPostgresRepositories(tx, null)));
    },

    async summary(rotationDueBefore, expiringBefore = null) {
      // No cut-off: an empty string, before every ISO time.
      const cutoff = rotationDueBefore ?? '';
      const expiring = expiringBefore ?? '';
      const { rows } = pool
        ? await pool.query<SummaryRow>({ name: 'serval_summary', text: SUMMARY_TEXT, values: [cutoff, expiring] })
        : await db.execute<SummaryRow>(summaryQuery(cutoff, expiring));
      return summaryOf(rows[0]!);
    },

    settings: {
      async set(name, value) {
        await db.insert(settings).values({ name, value }).onConflictDoUpdate({ target: settings.name, set: { value } });
      },
    },

    applications: {
      list: () => db.select().from(applications).orderBy(applications.createdAt, applications.id),
      async get(id) {
        const [row] = await db.select().from(applications).where(eq(applications.id, id));
        return row;
      },
      async lock(id) {
        const [row] = await db.select().from(applications).where(eq(applications.id, id)).for('update');
        return row;
      },
      async create(row: ApplicationRow) {
        await db.insert(applications).values(row);
      },
      async update(id, patch) {
        return ((await db.update(applications).set(patch).where(eq(applications.id, id))).rowCount ?? 0) > 0;
      },
      async delete(id) {
        return ((await db.delete(applications).where(eq(applications.id, id))).rowCount ?? 0) > 0;
      },
    },

    integrations: {
      async get(applicationId) {
        const [row] = await db.select().from(stripeIntegrations).where(eq(stripeIntegrations.applicationId, applicationId));
        return row;
      },
      async lock(applicationId) {
        const [row] = await db.select().from(stripeIntegrations).where(eq(stripeIntegrations.applicationId, applicationId)).for('update');
        return row;
      },
      list: () => db.select().from(stripeIntegrations),
      async upsert(row: IntegrationRow) {
        const { applicationId: _id, ...rest } = row;
        await db.insert(stripeIntegrations).values(row).onConflictDoUpdate({ target: stripeIntegrations.applicationId, set: rest });
      },
      async update(applicationId, patch) {
        await db.update(stripeIntegrations).set(patch).where(eq(stripeIntegrations.applicationId, applicationId));
      },
      async delete(applicationId) {
        return ((await db.delete(stripeIntegrations).where(eq(stripeIntegrations.applicationId, applicationId))).rowCount ?? 0) > 0;
      },
      async withAccount(accountId, mode, exceptApplicationId) {
        const rows = await db
          .select({ integration: stripeIntegrations, applicationName: applications.name })
          .from(stripeIntegrations)
          .innerJoin(applications, eq(applications.id, stripeIntegrations.applicationId))
          .where(and(eq(stripeIntegrations.accountId, accountId), eq(stripeIntegrations.mode, mode), ne(stripeIntegrations.applicationId, exceptApplicationId)))
          .orderBy(applications.createdAt, applications.id);
        return rows.map((r) => ({ ...r.integration, applicationName: r.applicationName }));
      },
      withFingerprint: (fingerprints, exceptApplicationId) =>
        db
          .select({ applicationId: stripeIntegrations.applicationId, applicationName: applications.name, maskedKey: stripeIntegrations.maskedKey })
          .from(stripeIntegrations)
          .innerJoin(applications, eq(applications.id, stripeIntegrations.applicationId))
          .where(and(inArray(stripeIntegrations.fingerprint, fingerprints), ne(stripeIntegrations.applicationId, exceptApplicationId))),
      sealedOtherThan: (keyId, limit) =>
        db
          .select({ applicationId: stripeIntegrations.applicationId, keyId: stripeIntegrations.keyId, sealedKey: stripeIntegrations.sealedKey })
          .from(stripeIntegrations)
          .where(ne(stripeIntegrations.keyId, keyId))
          .limit(limit),
      async reseal(applicationId, expected, next) {
        const result = await db
          .update(stripeIntegrations)
          .set(next)
          .where(
            and(
              eq(stripeIntegrations.applicationId, applicationId),
              eq(stripeIntegrations.keyId, expected.keyId),
              eq(stripeIntegrations.sealedKey, expected.sealedKey),
            ),
          );
        return (result.rowCount ?? 0) > 0;
      },
      async keyIdsInUse() {
        return (await db.selectDistinct({ keyId: stripeIntegrations.keyId }).from(stripeIntegrations)).map((r) => r.keyId);
      },
      async claimDue({ dueBefore, now, leaseUntil, limit, ownAccounts = [] }) {
        const claim = async (q: PgDb) => {
          // One claim at a time, so that two instances can't both find an account free and each
          // take some of its keys; the next claim's statement sees this one's leases.
          await q.execute(sql`select pg_advisory_xact_lock(${RECHECK_CLAIM_LOCK})`);
          // An account with a lease running on any of its keys belongs to that claim until it ends.
          const heldAccounts = q
            .select({ id: stripeIntegrations.accountId })
            .from(stripeIntegrations)
            .where(
              and(
                isNotNull(stripeIntegrations.accountId),
                gte(stripeIntegrations.recheckLeaseUntil, now),
                notInArray(stripeIntegrations.accountId, ownAccounts),
              ),
            );
          const due = q
            .select({ id: stripeIntegrations.applicationId })
            .from(stripeIntegrations)
            .where(
              and(
                or(isNull(stripeIntegrations.lastValidatedAt), lt(stripeIntegrations.lastValidatedAt, dueBefore)),
                or(isNull(stripeIntegrations.recheckLeaseUntil), lt(stripeIntegrations.recheckLeaseUntil, now)),
                or(isNull(stripeIntegrations.accountId), notInArray(stripeIntegrations.accountId, heldAccounts)),
              ),
            )
            .orderBy(sql`${stripeIntegrations.lastValidatedAt} asc nulls first`)
            .limit(limit)
            .for('update', { skipLocked: true }); // rows a writer holds are left for the next round
          const rows = await q
            .update(stripeIntegrations)
            .set({ recheckLeaseUntil: leaseUntil })
            .where(inArray(stripeIntegrations.applicationId, due))
            .returning({ applicationId: stripeIntegrations.applicationId });
          return rows.map((r) => r.applicationId);
        };
        return pool ? db.transaction((tx) => claim(tx)) : claim(db);
      },
      async releaseRecheck(applicationId, until) {
        await db.update(stripeIntegrations).set({ recheckLeaseUntil: until }).where(eq(stripeIntegrations.applicationId, applicationId));
      },
    },

    ...postgresPeopleRepositories(db, pool),
    ...postgresAlertsRepositories(db),

    pairingCodes: {
      async add(codeHash, personId, createdAt, expiresAt) {
        await db.insert(pairingCodes).values({ codeHash, personId, createdAt, expiresAt });
      },
      // UPDATE … RETURNING: the one request that marks the code used learns whose it was.
      async consume(codeHashes, now, maxFailures) {
        const [row] = await db
          .update(pairingCodes)
          .set({ usedAt: now })
          .where(
            and(
              inArray(pairingCodes.codeHash, codeHashes),
              isNull(pairingCodes.usedAt),
              gt(pairingCodes.expiresAt, now),
              lt(pairingCodes.failures, maxFailures),
            ),
          )
          .returning({ personId: pairingCodes.personId });
        return row?.personId ?? null;
      },
      async recordFailure(now) {
        await db
          .update(pairingCodes)
          .set({ failures: sql`${pairingCodes.failures} + 1` })
          .where(and(isNull(pairingCodes.usedAt), gt(pairingCodes.expiresAt, now)));
      },
      async retired(codeHashes, maxFailures) {
        const [row] = await db.select({ failures: pairingCodes.failures }).from(pairingCodes).where(inArray(pairingCodes.codeHash, codeHashes));
        return row !== undefined && row.failures >= maxFailures;
      },
      async purge(now) {
        await db.delete(pairingCodes).where(or(lt(pairingCodes.expiresAt, now), sql`${pairingCodes.usedAt} is not null`));
      },
    },

    pairingFailures: {
      async since(client, since) {
        const rows = await db
          .select({ at: pairingFailures.at })
          .from(pairingFailures)
          .where(and(eq(pairingFailures.client, client), gt(pairingFailures.at, since)))
          .orderBy(pairingFailures.at);
        return rows.map((r) => r.at);
      },
      async add(client, at, forgetBefore) {
        await db.delete(pairingFailures).where(lt(pairingFailures.at, forgetBefore));
        await db.insert(pairingFailures).values({ client, at });
      },
      async clear(client) {
        await db.delete(pairingFailures).where(eq(pairingFailures.client, client));
      },
    },

    audit: {
      async add(row: AuditEntryRow) {
        await db.insert(auditEvents).values(row);
      },
      list: (limit) =>
        db
          .select({ ...getTableColumns(auditEvents), personName: people.name })
          .from(auditEvents)
          .leftJoin(people, eq(people.id, auditEvents.personId))
          .orderBy(desc(auditEvents.seq))
          .limit(limit),
    },
  };
  return repos;
}
