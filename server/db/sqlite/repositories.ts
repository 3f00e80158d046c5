/**
 * The repositories on SQLite (better-sqlite3: synchronous, one connection per process).
 *
 * Transactions: better-sqlite3 runs statements synchronously, but a transaction's callback is
 * async, so other requests' statements could run between its awaits — and would join it. So
 * while a transaction is open, every statement from outside it waits for it to end; the
 * transaction's own `tx` goes straight through. Across processes on the same file, SQLite's own
 * write lock (BEGIN IMMEDIATE, with busy_timeout) serialises writers.
 */
import type Database from 'better-sqlite3';
import { and, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, isNull, lt, ne, notInArray, or, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { summaryOf, summaryQuery, type SqlRunner, type SummaryRow } from '../queries.js';
import type { ApplicationRow, AuditEntryRow, IntegrationRow, Repositories } from '../repositories.js';
import { sqliteAlertsRepositories } from './alerts-repositories.js';
import { sqlitePeopleRepositories } from './people-repositories.js';
import { preparedOnFirstUse } from './prepared.js';
import * as schema from './schema.js';

const { applications, auditEvents, pairingCodes, pairingFailures, people, settings, stripeIntegrations } = schema;

export type SqliteDb = BetterSQLite3Database<typeof schema>;

/** The shared SQL (../queries.ts) on this connection. */
export function sqliteRunner(db: SqliteDb): SqlRunner {
  return {
    rows: async (query) => db.all(query),
    run: async (query) => {
      db.run(query);
    },
    tableExists: async (name) => db.get(sql`select 1 from sqlite_master where type = 'table' and name = ${name}`) !== undefined,
  };
}

export function createSqliteRepositories(db: SqliteDb, sqlite: Database.Database): Repositories {
  // The reads every authenticated request makes (its device or session, ./people-repositories.ts,
  // and the status summary) are prepared once: SQLite parsing and planning them again for each
  // request cost more than running them, and each statement left behind holds native memory until
  // a garbage collection.
  const peopleRepositories = sqlitePeopleRepositories(db);
  const summaryStatement = preparedOnFirstUse(() =>
    sqlite.prepare<[string, string], SummaryRow>(
      new SQLiteSyncDialect().sqlToQuery(summaryQuery(sql.placeholder('rotationDueBefore'), sql.placeholder('expiringBefore'))).sql,
    ),
  );

  const integrationOf = (applicationId: string) => db.select().from(stripeIntegrations).where(eq(stripeIntegrations.applicationId, applicationId)).get();

  /** The open transaction's end, while one is open. */
  let openTransaction: Promise<void> | null = null;

  const repositories = (inTransaction: boolean): Repositories => {
    /**
     * Each method runs its synchronous statement — from outside a transaction, only once none is
     * open. The check and the statement run with no await between them, so nothing can begin in
     * the gap.
     */
    const op = <A extends unknown[], R>(fn: (...args: A) => R) =>
      inTransaction
        ? async (...args: A): Promise<R> => fn(...args)
        : async (...args: A): Promise<R> => {
            while (openTransaction) await openTransaction;
            return fn(...args);
          };

    const repos: Repositories = {
      async transaction(fn) {
        if (inTransaction) return fn(repos); // nested: part of the open transaction
        while (openTransaction) await openTransaction;
        let end!: () => void;
        openTransaction = new Promise((resolve) => (end = resolve));
        try {
          sqlite.exec('BEGIN IMMEDIATE');
          try {
            const result = await fn(transactionRepos);
            sqlite.exec('COMMIT');
            return result;
          } catch (error) {
            if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
            throw error;
          }
        } finally {
          openTransaction = null;
          end();
        }
      },

      // No cut-off: an empty string, before every ISO time.
      summary: op((rotationDueBefore: string | null, expiringBefore: string | null = null) =>
        summaryOf(summaryStatement().get(rotationDueBefore ?? '', expiringBefore ?? '') as SummaryRow),
      ),

      settings: {
        set: op((name: string, value: string) => {
          db.insert(settings).values({ name, value }).onConflictDoUpdate({ target: settings.name, set: { value } }).run();
        }),
      },

      applications: {
        list: op(() => db.select().from(applications).orderBy(applications.createdAt, applications.id).all()),
        get: op((id: string) => db.select().from(applications).where(eq(applications.id, id)).get()),
        // BEGIN IMMEDIATE already holds the database's write lock for the whole transaction.
        lock: op((id: string) => db.select().from(applications).where(eq(applications.id, id)).get()),
        create: op((row: ApplicationRow) => {
          db.insert(applications).values(row).run();
        }),
        update: op(
          (id: string, patch: Partial<Pick<ApplicationRow, 'name' | 'environment' | 'stripeAccount'>>) =>
            db.update(applications).set(patch).where(eq(applications.id, id)).run().changes > 0,
        ),
        delete: op((id: string) => db.delete(applications).where(eq(applications.id, id)).run().changes > 0),
      },

      integrations: {
        get: op((applicationId: string) => integrationOf(applicationId)),
        lock: op((applicationId: string) => integrationOf(applicationId)),
        list: op(() => db.select().from(stripeIntegrations).all()),
        upsert: op((row: IntegrationRow) => {
          const { applicationId: _id, ...rest } = row;
          db.insert(stripeIntegrations).values(row).onConflictDoUpdate({ target: stripeIntegrations.applicationId, set: rest }).run();
        }),
        update: op((applicationId: string, patch: Parameters<Repositories['integrations']['update']>[1]) => {
          db.update(stripeIntegrations).set(patch).where(eq(stripeIntegrations.applicationId, applicationId)).run();
        }),
        delete: op((applicationId: string) => db.delete(stripeIntegrations).where(eq(stripeIntegrations.applicationId, applicationId)).run().changes > 0),
        withAccount: op((accountId: string, mode: IntegrationRow['mode'], exceptApplicationId: string) =>
          db
            .select({ integration: stripeIntegrations, applicationName: applications.name })
            .from(stripeIntegrations)
            .innerJoin(applications, eq(applications.id, stripeIntegrations.applicationId))
            .where(
              and(eq(stripeIntegrations.accountId, accountId), eq(stripeIntegrations.mode, mode), ne(stripeIntegrations.applicationId, exceptApplicationId)),
            )
            .orderBy(applications.createdAt, applications.id)
            .all()
            .map((r) => ({ ...r.integration, applicationName: r.applicationName })),
        ),
        withFingerprint: op((fingerprints: string[], exceptApplicationId: string) =>
          db
            .select({ applicationId: stripeIntegrations.applicationId, applicationName: applications.name, maskedKey: stripeIntegrations.maskedKey })
            .from(stripeIntegrations)
            .innerJoin(applications, eq(applications.id, stripeIntegrations.applicationId))
            .where(and(inArray(stripeIntegrations.fingerprint, fingerprints), ne(stripeIntegrations.applicationId, exceptApplicationId)))
            .all(),
        ),
        sealedOtherThan: op((keyId: string, limit: number) =>
          db
            .select({ applicationId: stripeIntegrations.applicationId, keyId: stripeIntegrations.keyId, sealedKey: stripeIntegrations.sealedKey })
            .from(stripeIntegrations)
            .where(ne(stripeIntegrations.keyId, keyId))
            .limit(limit)
            .all(),
        ),
        reseal: op(
          (applicationId: string, expected: { keyId: string; sealedKey: string }, next: { keyId: string; sealedKey: string; fingerprint: string }) =>
            db
              .update(stripeIntegrations)
              .set(next)
              .where(
                and(
                  eq(stripeIntegrations.applicationId, applicationId),
                  eq(stripeIntegrations.keyId, expected.keyId),
                  eq(stripeIntegrations.sealedKey, expected.sealedKey),
                ),
              )
              .run().changes > 0,
        ),
        keyIdsInUse: op(() =>
          db
            .selectDistinct({ keyId: stripeIntegrations.keyId })
            .from(stripeIntegrations)
            .all()
            .map((r) => r.keyId),
        ),
        // One UPDATE … RETURNING: SQLite's write lock makes the claim atomic across processes.
        claimDue: op(({ dueBefore, now, leaseUntil, limit, ownAccounts = [] }: Parameters<Repositories['integrations']['claimDue']>[0]) => {
          // An account with a lease running on any of its keys belongs to that claim until it ends.
          const heldAccounts = db
            .select({ id: stripeIntegrations.accountId })
            .from(stripeIntegrations)
            .where(
              and(
                isNotNull(stripeIntegrations.accountId),
                gte(stripeIntegrations.recheckLeaseUntil, now),
                notInArray(stripeIntegrations.accountId, ownAccounts),
              ),
            );
          const due = db
            .select({ id: stripeIntegrations.applicationId })
            .from(stripeIntegrations)
            .where(
              and(
                or(isNull(stripeIntegrations.lastValidatedAt), lt(stripeIntegrations.lastValidatedAt, dueBefore)),
                or(isNull(stripeIntegrations.recheckLeaseUntil), lt(stripeIntegrations.recheckLeaseUntil, now)),
                or(isNull(stripeIntegrations.accountId), notInArray(stripeIntegrations.accountId, heldAccounts)),
              ),
            )
            .orderBy(sql`${stripeIntegrations.lastValidatedAt} is not null`, stripeIntegrations.lastValidatedAt)
            .limit(limit);
          return db
            .update(stripeIntegrations)
            .set({ recheckLeaseUntil: leaseUntil })
            .where(inArray(stripeIntegrations.applicationId, due))
            .returning({ applicationId: stripeIntegrations.applicationId })
            .all()
            .map((r) => r.applicationId);
        }),
        releaseRecheck: op((applicationId: string, until: string | null) => {
          db.update(stripeIntegrations).set({ recheckLeaseUntil: until }).where(eq(stripeIntegrations.applicationId, applicationId)).run();
        }),
      },

      ...peopleRepositories(op),
      ...sqliteAlertsRepositories(db, op),

      pairingCodes: {
        add: op((codeHash: string, personId: string, createdAt: string, expiresAt: string) => {
          db.insert(pairingCodes).values({ codeHash, personId, createdAt, expiresAt }).run();
        }),
        // UPDATE … RETURNING: the one request that marks the code used learns whose it was.
        consume: op(
          (codeHashes: string[], now: string, maxFailures: number) =>
            db
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
              .returning({ personId: pairingCodes.personId })
              .get()?.personId ?? null,
        ),
        recordFailure: op((now: string) => {
          db.update(pairingCodes)
            .set({ failures: sql`${pairingCodes.failures} + 1` })
            .where(and(isNull(pairingCodes.usedAt), gt(pairingCodes.expiresAt, now)))
            .run();
        }),
        retired: op((codeHashes: string[], maxFailures: number) => {
          const row = db.select({ failures: pairingCodes.failures }).from(pairingCodes).where(inArray(pairingCodes.codeHash, codeHashes)).get();
          return row !== undefined && row.failures >= maxFailures;
        }),
        purge: op((now: string) => {
          db.delete(pairingCodes)
            .where(or(lt(pairingCodes.expiresAt, now), sql`${pairingCodes.usedAt} is not null`))
            .run();
        }),
      },

      pairingFailures: {
        since: op((client: string, since: string) =>
          db
            .select({ at: pairingFailures.at })
            .from(pairingFailures)
            .where(and(eq(pairingFailures.client, client), gt(pairingFailures.at, since)))
            .orderBy(pairingFailures.at)
            .all()
            .map((r) => r.at),
        ),
        add: op((client: string, at: string, forgetBefore: string) => {
          db.delete(pairingFailures).where(lt(pairingFailures.at, forgetBefore)).run();
          db.insert(pairingFailures).values({ client, at }).run();
        }),
        clear: op((client: string) => {
          db.delete(pairingFailures).where(eq(pairingFailures.client, client)).run();
        }),
      },

      audit: {
        add: op((row: AuditEntryRow) => {
          db.insert(auditEvents).values(row).run();
        }),
        list: op((limit: number) =>
          db
            .select({ ...getTableColumns(auditEvents), personName: people.name })
            .from(auditEvents)
            .leftJoin(people, eq(people.id, auditEvents.personId))
            .orderBy(desc(auditEvents.seq))
            .limit(limit)
            .all(),
        ),
      },
    };
    return repos;
  };

  const transactionRepos = repositories(true);
  return repositories(false);
}
