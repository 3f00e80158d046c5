/**
 * The SQL both dialects run, written once. drizzle's `sql` templates bind each value the dialect's
 * own way (`?` on SQLite, `$1` on PostgreSQL); each dialect says how it runs one (`SqlRunner`).
 */
import { sql, type Placeholder, type SQL } from 'drizzle-orm';

/** How a dialect runs a query of this file. */
export type SqlRunner = {
  rows<R>(query: SQL): Promise<R[]>;
  run(query: SQL): Promise<void>;
  /** Whether the table exists yet: before the first migration, none does. */
  tableExists(name: string): Promise<boolean>;
};

export type Summary = { applications: number; integrations: number; connected: number; rotationDue: number; expiringSoon: number };

export type SummaryRow = Record<'applications' | 'integrations' | 'connected' | 'rotation_due' | 'expiring_soon', number | string>;

/**
 * What GET /api/status shows, in one query: one row from one pass over the integrations. A key
 * about to expire counts once: among the expiring while it still works, among those needing
 * attention (not connected) once a check has found it broken.
 * The cut-offs may be placeholders, for a dialect that prepares the query once.
 */
export function summaryQuery(rotationDueBefore: string | Placeholder, expiringBefore: string | Placeholder): SQL<SummaryRow> {
  return sql<SummaryRow>`
    select (select count(*) from applications) as applications, count(*) as integrations,
      count(*) filter (where status = 'connected') as connected,
      count(*) filter (where connected_at < ${rotationDueBefore}) as rotation_due,
      count(*) filter (where status = 'connected' and key_expires_at < ${expiringBefore}) as expiring_soon
    from stripe_integrations`;
}

/** PostgreSQL answers counts as text (bigint), SQLite as numbers. */
export function summaryOf(row: SummaryRow): Summary {
  return {
    applications: Number(row.applications),
    integrations: Number(row.integrations),
    connected: Number(row.connected),
    rotationDue: Number(row.rotation_due),
    expiringSoon: Number(row.expiring_soon),
  };
}

/**
 * The ids of the master keys the data was sealed with: those of the sealed keys and alert signing
 * secrets; for a database without any, the key recorded at its first start; none for a new database.
 */
export async function storedMasterKeyIds(db: SqlRunner): Promise<string[]> {
  const inUse = new Set<string>();
  for (const table of ['stripe_integrations', 'alert_endpoints'] as const) {
    if (!(await db.tableExists(table))) continue;
    for (const r of await db.rows<{ key_id: string }>(sql`select distinct key_id from ${sql.identifier(table)}`)) inUse.add(r.key_id);
  }
  if (inUse.size) return [...inUse];
  if (!(await db.tableExists('settings'))) return [];
  const recorded = await db.rows<{ value: string }>(sql`select value from settings where name = 'master_key_id'`);
  return recorded.map((r) => r.value);
}

/**
 * Start-up, once per process (the caller holds whatever lock instances starting together share):
 * gives the stored master-key ids to `check`, which throws to refuse before anything is written;
 * then applies the migrations and records `keyId` if no key was recorded yet.
 */
export async function startUp(db: SqlRunner, migrate: () => Promise<void>, keyId: string, check: (storedKeyIds: string[]) => void): Promise<void> {
  check(await storedMasterKeyIds(db));
  await migrate();
  await db.run(sql`insert into settings (name, value) values ('master_key_id', ${keyId}) on conflict do nothing`);
  check(await storedMasterKeyIds(db));
}

/** The outbox's once-only key of a key's rotation-due event: one per key (a replaced key is due again later). */
export function rotationDueKey(applicationId: string, connectedAt: string): string {
  return `integration.rotation_due:${applicationId}:${connectedAt}`;
}

/** The outbox's once-only key of a key's expiring event: one per stored key (its connectedAt names it). */
export function keyExpiringKey(applicationId: string, connectedAt: string): string {
  return `integration.key_expiring:${applicationId}:${connectedAt}`;
}

/** Keys that stop working at Stripe before `expiresBefore` whose expiring event (keyExpiringKey) was never written. */
export function keyExpiringUnannouncedQuery(expiresBefore: string, limit: number): SQL<{ application_id: string; connected_at: string }> {
  return sql`
    select i.application_id, i.connected_at from stripe_integrations i
    where i.key_expires_at < ${expiresBefore}
      and not exists (select 1 from alert_events e where e.dedupe_key = 'integration.key_expiring:' || i.application_id || ':' || i.connected_at)
    order by i.key_expires_at limit ${limit}`;
}

/** Keys connected before `connectedBefore` whose rotation-due event (rotationDueKey) was never written. */
export function rotationDueUnannouncedQuery(connectedBefore: string, limit: number): SQL<{ application_id: string; connected_at: string }> {
  return sql`
    select i.application_id, i.connected_at from stripe_integrations i
    where i.connected_at < ${connectedBefore}
      and not exists (select 1 from alert_events e where e.dedupe_key = 'integration.rotation_due:' || i.application_id || ':' || i.connected_at)
    order by i.connected_at limit ${limit}`;
}
