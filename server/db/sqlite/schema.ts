/**
 * The tables on SQLite; drizzle-kit generates the migrations from it. ../postgres/schema.ts is the
 * same on PostgreSQL, column for column: ../schemas-hold-rows.ts holds both to ../rows.ts.
 */
import { sqliteTable, text, index, integer } from 'drizzle-orm/sqlite-core';

/** Facts about the data itself, e.g. which master key sealed it. */
export const settings = sqliteTable('settings', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});

export const applications = sqliteTable('applications', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: text('created_at').notNull(),
  /** The Stripe mode the application is meant to use; null: not declared. */
  environment: text('environment', { enum: ['test', 'live'] }),
  /** The account an organization key acts on for it (`Stripe-Context`); null: none declared. */
  stripeAccount: text('stripe_account'),
});

export const stripeIntegrations = sqliteTable(
  'stripe_integrations',
  {
    applicationId: text('application_id')
      .primaryKey()
      .references(() => applications.id, { onDelete: 'cascade' }),
    keyType: text('key_type', { enum: ['secret', 'restricted', 'organization'] }).notNull(),
    mode: text('mode', { enum: ['test', 'live'] }).notNull(),
    maskedKey: text('masked_key').notNull(),
    accountId: text('account_id'),
    /** The account's display name in Stripe; null when the key may not read it. */
    accountName: text('account_name'),
    status: text('status', { enum: ['connected', 'missing_permissions', 'invalid', 'unverified'] }).notNull(),
    /** JSON: Record<PermissionId, boolean> */
    permissions: text('permissions').notNull(),
    source: text('source', { enum: ['extension', 'manual', 'api', 'import'] }).notNull(),
    connectedAt: text('connected_at').notNull(),
    lastValidatedAt: text('last_validated_at'),
    lastErrorCode: text('last_error_code'),
    lastErrorMessage: text('last_error_message'),
    /** HMAC of the key: finds the same key connected elsewhere without decrypting anything. */
    fingerprint: text('fingerprint').notNull(),
    /** nonce ‖ AES-256-GCM ciphertext ‖ tag, base64; AAD is the application id. */
    sealedKey: text('sealed_key').notNull(),
    keyId: text('key_id').notNull(),
    /** When the key stops working at Stripe (rotated there with an Expiration). */
    keyExpiresAt: text('key_expires_at'),
    /** The scheduled re-check's claim: until then, one instance is checking this key. */
    recheckLeaseUntil: text('recheck_lease_until'),
  },
  (t) => [index('stripe_integrations_fingerprint').on(t.fingerprint)],
);

/** People are disabled, never deleted: their devices, sessions and history keep pointing at them. */
export const people = sqliteTable('people', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Lower-cased by the caller; unique (NULLs are not equal: many people without one). */
  email: text('email').unique(),
  role: text('role', { enum: ['admin', 'member', 'viewer'] }).notNull(),
  createdAt: text('created_at').notNull(),
  disabledAt: text('disabled_at'),
});

export const devices = sqliteTable(
  'devices',
  {
    id: text('id').primaryKey(),
    personId: text('person_id')
      .notNull()
      .references(() => people.id),
    name: text('name').notNull(),
    /** SHA-256 of the bearer token; the token itself is never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: text('created_at').notNull(),
    lastSeenAt: text('last_seen_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('devices_person_id').on(t.personId)],
);

/** Console sessions: only the digests of the cookie's value and of the secret are stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    personId: text('person_id')
      .notNull()
      .references(() => people.id),
    cookieHash: text('cookie_hash').notNull().unique(),
    secretHash: text('secret_hash').notNull(),
    method: text('method', { enum: ['passkey', 'oidc', 'code'] }).notNull(),
    userAgent: text('user_agent'),
    createdAt: text('created_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('sessions_person_id').on(t.personId)],
);

export const invites = sqliteTable('invites', {
  /** SHA-256 of the invite token; the token itself is never stored. */
  tokenHash: text('token_hash').primaryKey(),
  personId: text('person_id')
    .notNull()
    .references(() => people.id),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull(),
  usedAt: text('used_at'),
});

export const passkeys = sqliteTable(
  'passkeys',
  {
    /** The WebAuthn credential id, base64url. */
    id: text('id').primaryKey(),
    personId: text('person_id')
      .notNull()
      .references(() => people.id),
    /** The COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    counter: integer('counter').notNull(),
    /** JSON: string[] */
    transports: text('transports').notNull(),
    createdAt: text('created_at').notNull(),
    lastUsedAt: text('last_used_at'),
  },
  (t) => [index('passkeys_person_id').on(t.personId)],
);

/** Sign-ins between their two requests, keyed by the digest of the handle the browser holds. */
export const signInFlows = sqliteTable(
  'sign_in_flows',
  {
    idHash: text('id_hash').primaryKey(),
    kind: text('kind', { enum: ['passkey_register', 'passkey_sign_in', 'oidc'] }).notNull(),
    /** JSON: what the second request checks against. */
    data: text('data').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('sign_in_flows_expires_at').on(t.expiresAt)],
);

export const pairingCodes = sqliteTable('pairing_codes', {
  /** HMAC of the normalised code under a key derived from the master key: useless to whoever reads the database. */
  codeHash: text('code_hash').primaryKey(),
  /** The person the device or session it pairs will act for. */
  personId: text('person_id')
    .notNull()
    .references(() => people.id),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull(),
  usedAt: text('used_at'),
  /** Wrong codes tried while this one was live: at the limit, it is retired. */
  failures: integer('failures').notNull().default(0),
});

/** Failed pairing attempts, per client: the rate limit, shared by every process on the database. */
export const pairingFailures = sqliteTable(
  'pairing_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    client: text('client').notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('pairing_failures_client_at').on(t.client, t.at)],
);

/** No foreign keys: the history outlives the applications, devices and people it speaks of. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: text('id').notNull().unique(),
    at: text('at').notNull(),
    action: text('action').notNull(),
    personId: text('person_id'),
    deviceId: text('device_id'),
    applicationId: text('application_id'),
    /** JSON; masked keys only. */
    detail: text('detail').notNull(),
    /** Write order: the audit log lists newest first by it. AUTOINCREMENT: never reused, always rising. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
  },
  (t) => [index('audit_events_at').on(t.at)],
);

/** Where alerts go. The signing secret is sealed like a Stripe key (AAD: the endpoint's id). */
export const alertEndpoints = sqliteTable('alert_endpoints', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  kind: text('kind', { enum: ['webhook', 'slack'] }).notNull(),
  /** JSON: the event types it receives. */
  events: text('events').notNull(),
  sealedSecret: text('sealed_secret').notNull(),
  keyId: text('key_id').notNull(),
  createdAt: text('created_at').notNull(),
});

/** The outbox: each event is written in the transaction of the change it tells of. */
export const alertEvents = sqliteTable('alert_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  createdAt: text('created_at').notNull(),
  /** JSON: what a webhook receives, byte for byte; masked keys only. */
  payload: text('payload').notNull(),
  /** For events found by looking (a key due for rotation): the same one is written once. */
  dedupeKey: text('dedupe_key').unique(),
});

/** One event to one endpoint: what a sender claims, sends, and retries. */
export const alertDeliveries = sqliteTable(
  'alert_deliveries',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => alertEvents.id, { onDelete: 'cascade' }),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => alertEndpoints.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: text('next_attempt_at').notNull(),
    /** A sender's claim: until then, one instance is sending it. */
    leaseUntil: text('lease_until'),
    lastAttemptAt: text('last_attempt_at'),
    /** The receiver's HTTP status, or null when none came (timeout, refused, connection closed). */
    lastStatus: integer('last_status'),
    /** What went wrong, in words; null when delivered. */
    lastError: text('last_error'),
  },
  (t) => [index('alert_deliveries_due').on(t.status, t.nextAttemptAt), index('alert_deliveries_endpoint').on(t.endpointId)],
);
