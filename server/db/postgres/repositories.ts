/** The repositories on PostgreSQL (node-postgres, pooled). Locks are row locks; claims skip rows another instance holds. */
import { and, count, desc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { SUMMARY_SQL, summaryOf, type SummaryRow, type ApplicationRow, type AuditRow, type DeviceRow, type IntegrationRow, type Repositories } from '../repositories.js';
import * as schema from './schema.js';

const { applications, auditEvents, devices, pairingCodes, pairingFailures, settings, stripeIntegrations } = schema;

/** The pool, or a transaction on one of its connections: the same query builder. */
export type PgDb = PgDatabase<NodePgQueryResultHKT, typeof schema>;

const auditColumns = {
  id: auditEvents.id,
  at: auditEvents.at,
  action: auditEvents.action,
  deviceId: auditEvents.deviceId,
  applicationId: auditEvents.applicationId,
  detail: auditEvents.detail,
};

/** The device behind a token hash, in DeviceRow's names (`?` placeholders). */
const DEVICE_BY_TOKEN_HASH_SQL =
  'select id, name, token_hash as "tokenHash", created_at as "createdAt", last_seen_at as "lastSeenAt", revoked_at as "revokedAt" ' +
  'from devices where token_hash = ? and revoked_at is null';

/** Runs one of the plain-SQL reads (`?` placeholders), named so that a connection can keep it prepared. */
type RunRead = <R extends Record<string, unknown>>(name: string, text: string, values: unknown[]) => Promise<R[]>;

/**
 * On the pool: a named prepared statement (PostgreSQL's numbered placeholders), which each
 * connection parses and plans once, then only binds and runs — the two reads every authenticated
 * request makes.
 */
function onPool(pool: pg.Pool): RunRead {
  const numbered = new Map<string, string>();
  return async (name, text, values) => {
    let query = numbered.get(name);
    if (query === undefined) numbered.set(name, (query = text.split('?').reduce((built, part, i) => `${built}$${i}${part}`)));
    return (await pool.query({ name, text: query, values })).rows;
  };
}

/** On a transaction's connection: the same text through drizzle, each value bound where its `?` is. */
function onConnection(db: PgDb): RunRead {
  return async <R extends Record<string, unknown>>(_name: string, text: string, values: unknown[]) => {
    const [first, ...rest] = text.split('?');
    const query = rest.reduce((built, part, i) => sql`${built}${values[i]}${sql.raw(part)}`, sql.raw(first!));
    return (await db.execute<R>(query)).rows as R[]; // drizzle types the rows as its QueryResultRow view of R
  };
}

/** `pool` is given for the pool itself (not a transaction): then the per-request reads are prepared statements. */
export function createPostgresRepositories(db: PgDb, inTransaction = false, pool?: pg.Pool): Repositories {
  const runRead = pool ? onPool(pool) : onConnection(db);
  const repos: Repositories = {
    async transaction(fn) {
      if (inTransaction) return fn(repos); // nested: part of the open transaction
      return db.transaction((tx) => fn(createPostgresRepositories(tx, true)));
    },

    freshReads() {}, // every read asks the database

    async summary(rotationDueBefore) {
      const cutoff = rotationDueBefore ?? '';
      const [row] = await runRead<SummaryRow>('serval_summary', SUMMARY_SQL, [cutoff, cutoff]);
      return summaryOf(row!);
    },

    settings: {
      async get(name) {
        const [row] = await db.select().from(settings).where(eq(settings.name, name));
        return row?.value ?? null;
      },
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
      async count() {
        const [row] = await db.select({ n: count() }).from(applications);
        return row?.n ?? 0;
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
          .where(
            and(eq(stripeIntegrations.accountId, accountId), eq(stripeIntegrations.mode, mode), ne(stripeIntegrations.applicationId, exceptApplicationId)),
          )
          .orderBy(applications.createdAt, applications.id);
        return rows.map((r) => ({ ...r.integration, applicationName: r.applicationName }));
      },
      withFingerprint: (fingerprints, exceptApplicationId) =>
        db
          .select({ applicationId: stripeIntegrations.applicationId, applicationName: applications.name })
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
      async countByStatus() {
        const rows = await db.select({ status: stripeIntegrations.status, n: count() }).from(stripeIntegrations).groupBy(stripeIntegrations.status);
        return Object.fromEntries(rows.map((r) => [r.status, r.n]));
      },
      async keyIdsInUse() {
        return (await db.selectDistinct({ keyId: stripeIntegrations.keyId }).from(stripeIntegrations)).map((r) => r.keyId);
      },
      async claimDue({ dueBefore, now, leaseUntil, limit }) {
        // SKIP LOCKED: rows another instance is claiming right now are left to it, not waited for.
        const due = db
          .select({ id: stripeIntegrations.applicationId })
          .from(stripeIntegrations)
          .where(
            and(
              or(isNull(stripeIntegrations.lastValidatedAt), lt(stripeIntegrations.lastValidatedAt, dueBefore)),
              or(isNull(stripeIntegrations.recheckLeaseUntil), lt(stripeIntegrations.recheckLeaseUntil, now)),
            ),
          )
          .orderBy(sql`${stripeIntegrations.lastValidatedAt} asc nulls first`)
          .limit(limit)
          .for('update', { skipLocked: true });
        const rows = await db
          .update(stripeIntegrations)
          .set({ recheckLeaseUntil: leaseUntil })
          .where(inArray(stripeIntegrations.applicationId, due))
          .returning({ applicationId: stripeIntegrations.applicationId });
        return rows.map((r) => r.applicationId);
      },
    },

    devices: {
      async create(row: DeviceRow) {
        await db.insert(devices).values(row);
      },
      async activeByTokenHash(tokenHash) {
        const [row] = await runRead<DeviceRow>('serval_device_by_token_hash', DEVICE_BY_TOKEN_HASH_SQL, [tokenHash]);
        return row;
      },
      listActive: () => db.select().from(devices).where(isNull(devices.revokedAt)).orderBy(devices.createdAt, devices.id),
      async revoke(id, at) {
        const result = await db.update(devices).set({ revokedAt: at }).where(and(eq(devices.id, id), isNull(devices.revokedAt)));
        return (result.rowCount ?? 0) > 0;
      },
      async touch(id, at) {
        await db.update(devices).set({ lastSeenAt: at }).where(eq(devices.id, id));
      },
    },

    pairingCodes: {
      async add(codeHash, createdAt, expiresAt) {
        await db.insert(pairingCodes).values({ codeHash, createdAt, expiresAt });
      },
      async consume(codeHashes, now, maxFailures) {
        const result = await db
          .update(pairingCodes)
          .set({ usedAt: now })
          .where(
            and(inArray(pairingCodes.codeHash, codeHashes), isNull(pairingCodes.usedAt), gt(pairingCodes.expiresAt, now), lt(pairingCodes.failures, maxFailures)),
          );
        return (result.rowCount ?? 0) > 0;
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
      async add(row: AuditRow) {
        await db.insert(auditEvents).values(row);
      },
      list: (limit) => db.select(auditColumns).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(limit),
    },
  };
  return repos;
}
