/**
 * The storage layer: everything the server asks of the database, behind plain functions over
 * plain rows. The SQLite implementation is the only one today; a PostgreSQL one would implement
 * the same `Repositories` type.
 */
import { and, count, desc, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { applications, auditEvents, devices, pairingCodes, settings, stripeIntegrations } from './schema.js';

export type ApplicationRow = typeof applications.$inferSelect;
export type IntegrationRow = typeof stripeIntegrations.$inferSelect;
export type DeviceRow = typeof devices.$inferSelect;
export type AuditRow = typeof auditEvents.$inferSelect;

export type Repositories = ReturnType<typeof createSqliteRepositories>;

export function createSqliteRepositories(db: Db) {
  // The statements every authenticated request runs, prepared once.
  const deviceByTokenHash = db
    .select()
    .from(devices)
    .where(and(eq(devices.tokenHash, sql.placeholder('tokenHash')), isNull(devices.revokedAt)))
    .prepare();
  const applicationById = db.select().from(applications).where(eq(applications.id, sql.placeholder('id'))).prepare();
  const integrationByApplication = db
    .select()
    .from(stripeIntegrations)
    .where(eq(stripeIntegrations.applicationId, sql.placeholder('applicationId')))
    .prepare();

  return {
    transaction<T>(fn: () => T): T {
      return db.transaction(() => fn());
    },

    settings: {
      get(name: string): string | null {
        return db.select().from(settings).where(eq(settings.name, name)).get()?.value ?? null;
      },
      set(name: string, value: string): void {
        db.insert(settings).values({ name, value }).onConflictDoUpdate({ target: settings.name, set: { value } }).run();
      },
    },

    applications: {
      list(): ApplicationRow[] {
        return db.select().from(applications).orderBy(applications.createdAt, applications.id).all();
      },
      get(id: string): ApplicationRow | undefined {
        return applicationById.get({ id });
      },
      create(row: ApplicationRow): void {
        db.insert(applications).values(row).run();
      },
      rename(id: string, name: string): boolean {
        return db.update(applications).set({ name }).where(eq(applications.id, id)).run().changes > 0;
      },
      /** Cascades to the application's sealed key. */
      delete(id: string): boolean {
        return db.delete(applications).where(eq(applications.id, id)).run().changes > 0;
      },
      count(): number {
        return db.select({ n: count() }).from(applications).get()?.n ?? 0;
      },
    },

    integrations: {
      get(applicationId: string): IntegrationRow | undefined {
        return integrationByApplication.get({ applicationId });
      },
      list(): IntegrationRow[] {
        return db.select().from(stripeIntegrations).all();
      },
      upsert(row: IntegrationRow): void {
        const { applicationId, ...rest } = row;
        db.insert(stripeIntegrations)
          .values(row)
          .onConflictDoUpdate({ target: stripeIntegrations.applicationId, set: rest })
          .run();
        void applicationId;
      },
      update(applicationId: string, patch: Partial<Omit<IntegrationRow, 'applicationId'>>): void {
        db.update(stripeIntegrations).set(patch).where(eq(stripeIntegrations.applicationId, applicationId)).run();
      },
      delete(applicationId: string): boolean {
        return db.delete(stripeIntegrations).where(eq(stripeIntegrations.applicationId, applicationId)).run().changes > 0;
      },
      /** Other applications holding the same key. */
      withFingerprint(fingerprint: string, exceptApplicationId: string): Array<{ applicationId: string; applicationName: string }> {
        return db
          .select({ applicationId: stripeIntegrations.applicationId, applicationName: applications.name })
          .from(stripeIntegrations)
          .innerJoin(applications, eq(applications.id, stripeIntegrations.applicationId))
          .where(and(eq(stripeIntegrations.fingerprint, fingerprint), ne(stripeIntegrations.applicationId, exceptApplicationId)))
          .all();
      },
      countByStatus(): Record<string, number> {
        const rows = db.select({ status: stripeIntegrations.status, n: count() }).from(stripeIntegrations).groupBy(stripeIntegrations.status).all();
        return Object.fromEntries(rows.map((r) => [r.status, r.n]));
      },
      keyIdsInUse(): string[] {
        return db.selectDistinct({ keyId: stripeIntegrations.keyId }).from(stripeIntegrations).all().map((r) => r.keyId);
      },
    },

    devices: {
      create(row: DeviceRow): void {
        db.insert(devices).values(row).run();
      },
      activeByTokenHash(tokenHash: string): DeviceRow | undefined {
        return deviceByTokenHash.get({ tokenHash });
      },
      listActive(): DeviceRow[] {
        return db.select().from(devices).where(isNull(devices.revokedAt)).orderBy(devices.createdAt).all();
      },
      revoke(id: string, at: string): boolean {
        return db.update(devices).set({ revokedAt: at }).where(and(eq(devices.id, id), isNull(devices.revokedAt))).run().changes > 0;
      },
      touch(id: string, at: string): void {
        db.update(devices).set({ lastSeenAt: at }).where(eq(devices.id, id)).run();
      },
    },

    pairingCodes: {
      add(codeHash: string, createdAt: string, expiresAt: string): void {
        db.insert(pairingCodes).values({ codeHash, createdAt, expiresAt }).run();
      },
      /** Marks the code used if it exists, is unused and unexpired; one statement, so it's single use under any concurrency. */
      consume(codeHash: string, now: string): boolean {
        return (
          db
            .update(pairingCodes)
            .set({ usedAt: now })
            .where(and(eq(pairingCodes.codeHash, codeHash), isNull(pairingCodes.usedAt), gt(pairingCodes.expiresAt, now)))
            .run().changes > 0
        );
      },
      purge(now: string): void {
        db.delete(pairingCodes).where(or(lt(pairingCodes.expiresAt, now), sql`${pairingCodes.usedAt} is not null`)).run();
      },
    },

    audit: {
      add(row: AuditRow): void {
        db.insert(auditEvents).values(row).run();
      },
      list(limit: number): AuditRow[] {
        return db.select().from(auditEvents).orderBy(desc(sql`rowid`)).limit(limit).all();
      },
    },
  };
}
