/**
 * The storage layer: everything the server asks of the database, as one async interface over
 * plain rows (./rows.ts). Two implementations — SQLite (the embedded default, ./sqlite) and
 * PostgreSQL (DATABASE_URL, ./postgres) — pass the same test suite; services and routes never know
 * which one they talk to.
 */
import type { Summary } from './queries.js';
import type {
  AlertDeliveryRow,
  AlertEndpointRow,
  AlertEventRow,
  ApplicationRow,
  AuditEntryRow,
  AuditRow,
  DeviceRow,
  IntegrationRow,
  InviteRow,
  PasskeyRow,
  PersonRow,
  SessionRow,
  SignInFlowRow,
} from './rows.js';

export type {
  AlertDeliveryRow,
  AlertEndpointRow,
  AlertEventRow,
  ApplicationRow,
  AuditEntryRow,
  AuditRow,
  DeviceRow,
  IntegrationRow,
  InviteRow,
  PasskeyRow,
  PersonRow,
  SessionRow,
  SignInFlowRow,
} from './rows.js';
export type { Summary } from './queries.js';

export type Dialect = 'sqlite' | 'postgres';

/** A delivery a sender has claimed, with what it needs to send it. */
export type ClaimedDelivery = Pick<AlertDeliveryRow, 'id' | 'attempts' | 'leaseUntil'> & {
  event: Pick<AlertEventRow, 'id' | 'type' | 'createdAt' | 'payload'>;
  endpoint: Pick<AlertEndpointRow, 'id' | 'url' | 'kind' | 'sealedSecret' | 'keyId'>;
};

/** What an attempt changed: the delivery's new state (its lease is given up with it). */
export type DeliveryOutcome = Pick<AlertDeliveryRow, 'status' | 'attempts' | 'nextAttemptAt' | 'lastAttemptAt' | 'lastStatus' | 'lastError'>;

export interface Repositories {
  /**
   * Runs `fn` in one transaction: all of its writes or none. Inside, use only the `tx` it is
   * given. Keep it to database work: never wait on Stripe inside a transaction.
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;

  /**
   * What GET /api/status shows, in one query: the number of applications, of integrations by
   * status, of keys connected before `rotationDueBefore` and of keys that stop working at Stripe
   * before `expiringBefore` (none when null).
   */
  summary(rotationDueBefore: string | null, expiringBefore?: string | null): Promise<Summary>;

  settings: {
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
    update(id: string, patch: Partial<Pick<ApplicationRow, 'name' | 'environment' | 'stripeAccount'>>): Promise<boolean>;
    /** Cascades to the application's sealed key. */
    delete(id: string): Promise<boolean>;
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
    withFingerprint(fingerprints: string[], exceptApplicationId: string): Promise<Array<{ applicationId: string; applicationName: string; maskedKey: string }>>;
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
     * goes to one of them. Integrations of a Stripe account with a lease still running on any of
     * its keys are left out, so that one claim at a time speaks to an account — except `ownAccounts`,
     * whose running leases are the caller's own (it knows what it sent them).
     */
    claimDue(input: { dueBefore: string; now: string; leaseUntil: string; limit: number; ownAccounts?: string[] }): Promise<string[]>;
    /**
     * Ends a claim: the lease is dropped (null: the key was checked), or held until `until`, before
     * which neither the key nor the rest of its account is claimed again.
     */
    releaseRecheck(applicationId: string, until: string | null): Promise<void>;
  };

  people: {
    create(row: PersonRow): Promise<void>;
    get(id: string): Promise<PersonRow | undefined>;
    /** By e-mail address, lower-cased by the caller. */
    byEmail(email: string): Promise<PersonRow | undefined>;
    /** Everyone, disabled people included, oldest first (createdAt, then id). */
    list(): Promise<PersonRow[]>;
    update(id: string, patch: Partial<Pick<PersonRow, 'name' | 'email' | 'role' | 'disabledAt'>>): Promise<boolean>;
    /**
     * The enabled admins, oldest first — held until the transaction ends (FOR UPDATE on
     * PostgreSQL), so that two concurrent demotions cannot both see another admin left.
     */
    enabledAdmins(): Promise<PersonRow[]>;
  };

  devices: {
    create(row: DeviceRow): Promise<void>;
    /** The unrevoked device with this token digest, and its person — only if that person is enabled. One statement. */
    activeByTokenHash(tokenHash: string): Promise<{ device: DeviceRow; person: PersonRow } | undefined>;
    /** Unrevoked devices, oldest first: one person's, or everyone's (null), each with its person's name. */
    listActive(personId: string | null): Promise<Array<DeviceRow & { personName: string }>>;
    get(id: string): Promise<DeviceRow | undefined>;
    revoke(id: string, at: string): Promise<boolean>;
    /** Revokes every device of the person; the number revoked. */
    revokeAllOf(personId: string, at: string): Promise<number>;
    touch(id: string, at: string): Promise<void>;
  };

  sessions: {
    create(row: SessionRow): Promise<void>;
    /**
     * The unrevoked session with this cookie digest whose absolute expiry is after `now`, and its
     * person — only if that person is enabled. One statement. (Idle expiry is the caller's.)
     */
    active(cookieHash: string, now: string): Promise<{ session: SessionRow; person: PersonRow } | undefined>;
    /** Unrevoked, unexpired sessions (expiresAt after `now`), oldest first: one person's, or everyone's (null), with the person's name. */
    listActive(personId: string | null, now: string): Promise<Array<SessionRow & { personName: string }>>;
    get(id: string): Promise<SessionRow | undefined>;
    touch(id: string, at: string): Promise<void>;
    revoke(id: string, at: string): Promise<boolean>;
    revokeAllOf(personId: string, at: string): Promise<number>;
  };

  invites: {
    add(row: InviteRow): Promise<void>;
    /** The invite if it exists, is unused and unexpired at `now` (or undefined). */
    find(tokenHash: string, now: string): Promise<InviteRow | undefined>;
    /** Marks it used if it is still unused and unexpired: one statement, single use under any concurrency. */
    use(tokenHash: string, now: string): Promise<boolean>;
  };

  passkeys: {
    add(row: PasskeyRow): Promise<void>;
    get(id: string): Promise<PasskeyRow | undefined>;
    listFor(personId: string): Promise<PasskeyRow[]>;
    /** After a sign-in: the authenticator's new signature counter. */
    used(id: string, counter: number, at: string): Promise<void>;
  };

  signInFlows: {
    /** Stores a flow and forgets every flow expired at `now`. */
    add(row: SignInFlowRow, now: string): Promise<void>;
    /** Removes and returns the flow if it exists and is unexpired at `now`: single use. */
    take(idHash: string, now: string): Promise<SignInFlowRow | undefined>;
  };

  pairingCodes: {
    add(codeHash: string, personId: string, createdAt: string, expiresAt: string): Promise<void>;
    /**
     * Marks the code used (given as its digest under each master key held) if it exists, is unused, unexpired and not retired (fewer than
     * `maxFailures` wrong codes tried while it was live); one statement, so it's single use under
     * any concurrency. The person it was issued for, or null if it was not usable.
     */
    consume(codeHashes: string[], now: string, maxFailures: number): Promise<string | null>;
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

  alerts: {
    endpoints: {
      create(row: AlertEndpointRow): Promise<void>;
      /** Oldest first. */
      list(): Promise<AlertEndpointRow[]>;
      get(id: string): Promise<AlertEndpointRow | undefined>;
      /** Cascades to its deliveries. */
      delete(id: string): Promise<boolean>;
      keyIdsInUse(): Promise<string[]>;
      /** The secrets not sealed under `keyId` (what a master-key rotation re-seals), a batch at a time. */
      sealedOtherThan(keyId: string, limit: number): Promise<Array<Pick<AlertEndpointRow, 'id' | 'keyId' | 'sealedSecret'>>>;
      /** Replaces a sealed secret only if the row still holds exactly `expected`. True if replaced. */
      reseal(id: string, expected: Pick<AlertEndpointRow, 'keyId' | 'sealedSecret'>, next: Pick<AlertEndpointRow, 'keyId' | 'sealedSecret'>): Promise<boolean>;
    };
    /**
     * Writes the event and one pending delivery (due at once) for every endpoint that receives its
     * type. An event whose `dedupeKey` was written before writes nothing: false.
     */
    enqueue(event: AlertEventRow): Promise<boolean>;
    /** Integrations whose key stops working at Stripe before `expiresBefore` and whose expiring event (`key_expiring:<application>:<connectedAt>`) was never written. */
    keyExpiringUnannounced(expiresBefore: string, limit: number): Promise<Array<{ applicationId: string; connectedAt: string }>>;
    /** Integrations connected before `connectedBefore` whose rotation-due event (`rotation_due:<application>:<connectedAt>`) was never written. */
    rotationDueUnannounced(connectedBefore: string, limit: number): Promise<Array<{ applicationId: string; connectedAt: string }>>;
    /**
     * Claims up to `limit` pending deliveries due at `now` whose lease has run out, leasing them
     * until `leaseUntil`: however many instances ask at once, each goes to one of them.
     */
    claim(input: { now: string; leaseUntil: string; limit: number }): Promise<ClaimedDelivery[]>;
    /** Records an attempt, only while the claim (`leaseUntil`) is still this sender's; gives the lease up. */
    settle(id: string, leaseUntil: string, outcome: DeliveryOutcome): Promise<boolean>;
    /** Gives a claim up without an attempt (the sender is stopping). */
    release(id: string, leaseUntil: string): Promise<void>;
    /** An endpoint's deliveries, newest first, with the event's type. */
    deliveries(endpointId: string, limit: number): Promise<Array<AlertDeliveryRow & { eventType: string; eventCreatedAt: string }>>;
  };

  audit: {
    add(row: AuditEntryRow): Promise<void>;
    /** Newest first, in the order the events were written (by `seq`), with the person's current name (null without a person). */
    list(limit: number): Promise<Array<AuditRow & { personName: string | null }>>;
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
