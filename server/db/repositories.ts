/**
 * The storage layer: everything the server asks of the database, as one async interface over
 * plain rows. Two implementations — SQLite (the embedded default, ./sqlite) and PostgreSQL
 * (DATABASE_URL, ./postgres) — pass the same test suite; services and routes never know which
 * one they talk to.
 */
import type { applications, auditEvents, devices, stripeIntegrations } from './sqlite/schema.js';

export type ApplicationRow = typeof applications.$inferSelect;
/** The lease column is the re-check schedule's business, not the integration's. */
export type IntegrationRow = Omit<typeof stripeIntegrations.$inferSelect, 'recheckLeaseUntil'>;
export type DeviceRow = typeof devices.$inferSelect;
export type AuditRow = typeof auditEvents.$inferSelect;

export type Dialect = 'sqlite' | 'postgres';

export interface Repositories {
  /**
   * Runs `fn` in one transaction: all of its writes or none. Inside, use only the `tx` it is
   * given. Keep it to database work: never wait on Stripe inside a transaction.
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;

  /**
   * A request begins: from here on, reads see everything committed before this call. (SQLite
   * answers the two per-request reads from memory while nothing is committed, and checks that once
   * per request; PostgreSQL reads every time, so there it does nothing.)
   */
  freshReads(): void;

  /**
   * What GET /api/status shows, in one query: the number of applications, of integrations by
   * status, and of keys connected before `rotationDueBefore` (none when null).
   */
  summary(rotationDueBefore: string | null): Promise<Summary>;

  settings: {
    get(name: string): Promise<string | null>;
    set(name: string, value: string): Promise<void>;
  };

  applications: {
    list(): Promise<ApplicationRow[]>;
    get(id: string): Promise<ApplicationRow | undefined>;
    /**
     * The application, held until the transaction ends so that a concurrent delete waits for
     * it (or it for the delete). Only meaningful inside `transaction`.
     */
    lock(id: string): Promise<ApplicationRow | undefined>;
    create(row: ApplicationRow): Promise<void>;
    update(id: string, patch: Partial<Pick<ApplicationRow, 'name' | 'environment'>>): Promise<boolean>;
    /** Cascades to the application's sealed key. */
    delete(id: string): Promise<boolean>;
    count(): Promise<number>;
  };

  integrations: {
    get(applicationId: string): Promise<IntegrationRow | undefined>;
    /** As `get`, and held until the transaction ends (see applications.lock). */
    lock(applicationId: string): Promise<IntegrationRow | undefined>;
    list(): Promise<IntegrationRow[]>;
    upsert(row: IntegrationRow): Promise<void>;
    update(applicationId: string, patch: Partial<Omit<IntegrationRow, 'applicationId'>>): Promise<void>;
    delete(applicationId: string): Promise<boolean>;
    /** Other applications' integrations with this Stripe account and mode, with the application's name. */
    withAccount(accountId: string, mode: IntegrationRow['mode'], exceptApplicationId: string): Promise<Array<IntegrationRow & { applicationName: string }>>;
    /** Other applications holding the same key (its fingerprint under each master key held). */
    withFingerprint(fingerprints: string[], exceptApplicationId: string): Promise<Array<{ applicationId: string; applicationName: string }>>;
    countByStatus(): Promise<Record<string, number>>;
    keyIdsInUse(): Promise<string[]>;
    /** The sealed keys not sealed under `keyId` (what a master-key rotation re-seals), a batch at a time. */
    sealedOtherThan(keyId: string, limit: number): Promise<Array<Pick<IntegrationRow, 'applicationId' | 'keyId' | 'sealedKey'>>>;
    /**
     * Replaces a sealed key with the same key sealed under another master key — only if the row
     * still holds exactly `expected` (a key replaced meanwhile is left alone). True if replaced.
     */
    reseal(
      applicationId: string,
      expected: Pick<IntegrationRow, 'keyId' | 'sealedKey'>,
      next: Pick<IntegrationRow, 'keyId' | 'sealedKey' | 'fingerprint'>,
    ): Promise<boolean>;
    /**
     * Claims up to `limit` integrations last checked before `dueBefore` whose lease has run out,
     * leasing them until `leaseUntil`: however many instances ask at once, each due integration
     * goes to one of them.
     */
    claimDue(input: { dueBefore: string; now: string; leaseUntil: string; limit: number }): Promise<string[]>;
  };

  devices: {
    create(row: DeviceRow): Promise<void>;
    activeByTokenHash(tokenHash: string): Promise<DeviceRow | undefined>;
    listActive(): Promise<DeviceRow[]>;
    revoke(id: string, at: string): Promise<boolean>;
    touch(id: string, at: string): Promise<void>;
  };

  pairingCodes: {
    add(codeHash: string, createdAt: string, expiresAt: string): Promise<void>;
    /**
     * Marks the code used (given as its digest under each master key held) if it exists, is unused, unexpired and not retired (fewer than
     * `maxFailures` wrong codes tried while it was live); one statement, so it's single use under
     * any concurrency.
     */
    consume(codeHashes: string[], now: string, maxFailures: number): Promise<boolean>;
    /** A wrong code was tried: counts against every live code. */
    recordFailure(now: string): Promise<void>;
    /** Whether this code was retired by wrong attempts (for a clearer answer). */
    retired(codeHashes: string[], maxFailures: number): Promise<boolean>;
    purge(now: string): Promise<void>;
  };

  /** Failed pairing attempts per client, shared by every instance so the rate limit holds however requests are balanced. */
  pairingFailures: {
    /** The times of the client's failures since `since`, oldest first. */
    since(client: string, since: string): Promise<string[]>;
    /** Records a failure and forgets everyone's failures older than `forgetBefore`. */
    add(client: string, at: string, forgetBefore: string): Promise<void>;
    clear(client: string): Promise<void>;
  };

  audit: {
    add(row: AuditRow): Promise<void>;
    /** Newest first, in the order the events were written. */
    list(limit: number): Promise<AuditRow[]>;
  };
}

/** An open database: the repositories, plus what the runtime needs to start and stop it. */
export interface Database {
  dialect: Dialect;
  repos: Repositories;
  /** Where the data lives, for the start-up banner (never a password). */
  describe: string;
  /**
   * Start-up, once per process, under a lock that instances starting together share: reads the
   * ids of the master keys the data was sealed with (those of the sealed keys; for a database
   * without any, the key recorded at its first start; none for a new database) and gives them to
   * `check`, which throws to refuse before anything is written; then applies migrations and
   * records `keyId` if no key was recorded yet.
   */
  start(keyId: string, check: (storedKeyIds: string[]) => void): Promise<void>;
  /** Resolves when the database answers; rejects when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type Summary = { applications: number; integrations: number; connected: number; rotationDue: number };

/**
 * The summary query, the same on both dialects (`?` placeholders: both the rotation cut-off): one
 * row from one pass over the integrations. `next_due` is the first key to fall due at or after the
 * cut-off, so a cached answer knows until when its `rotation_due` holds.
 */
export const SUMMARY_SQL =
  'select (select count(*) from applications) as applications, count(*) as integrations, ' +
  "count(*) filter (where status = 'connected') as connected, count(*) filter (where connected_at < ?) as rotation_due, " +
  'min(connected_at) filter (where connected_at >= ?) as next_due ' +
  'from stripe_integrations';

export type SummaryRow = {
  applications: number | string;
  integrations: number | string;
  connected: number | string;
  rotation_due: number | string;
  next_due: string | null;
};

export function summaryOf(row: SummaryRow): Summary {
  return { applications: Number(row.applications), integrations: Number(row.integrations), connected: Number(row.connected), rotationDue: Number(row.rotation_due) };
}
