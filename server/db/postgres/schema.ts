/**
 * The tables on PostgreSQL; drizzle-kit generates the migrations from it. Column for column the
 * same as ../sqlite/schema.ts: ../schemas-hold-rows.ts holds both to ../rows.ts.
 */
import { bigint, index, integer, pgTable, text } from 'drizzle-orm/pg-core';

export const settings = pgTable('settings', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});

export const applications = pgTable('applications', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: text('created_at').notNull(),
  environment: text('environment', { enum: ['test', 'live'] }),
  /** The account an organization key acts on for it (`Stripe-Context`); null: none declared. */
  stripeAccount: text('stripe_account'),
});

export const stripeIntegrations = pgTable(
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
    permissions: text('permissions').notNull(),
    source: text('source', { enum: ['extension', 'manual', 'api', 'import'] }).notNull(),
    connectedAt: text('connected_at').notNull(),
    lastValidatedAt: text('last_validated_at'),
    lastErrorCode: text('last_error_code'),
    lastErrorMessage: text('last_error_message'),
    fingerprint: text('fingerprint').notNull(),
    sealedKey: text('sealed_key').notNull(),
    keyId: text('key_id').notNull(),
    /** When the key stops working at Stripe (rotated there with an Expiration). */
    keyExpiresAt: text('key_expires_at'),
    recheckLeaseUntil: text('recheck_lease_until'),
  },
  (t) => [index('stripe_integrations_fingerprint').on(t.fingerprint)],
);

export const people = pgTable('people', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').unique(),
  role: text('role', { enum: ['admin', 'member', 'viewer'] }).notNull(),
  createdAt: text('created_at').notNull(),
  disabledAt: text('disabled_at'),
});

export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    personId: text('person_id')
      .notNull()
      .references(() => people.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: text('created_at').notNull(),
    lastSeenAt: text('last_seen_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('devices_person_id').on(t.personId)],
);

export const sessions = pgTable(
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

export const invites = pgTable('invites', {
  tokenHash: text('token_hash').primaryKey(),
  personId: text('person_id')
    .notNull()
    .references(() => people.id),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull(),
  usedAt: text('used_at'),
});

export const passkeys = pgTable(
  'passkeys',
  {
    id: text('id').primaryKey(),
    personId: text('person_id')
      .notNull()
      .references(() => people.id),
    publicKey: text('public_key').notNull(),
    /** WebAuthn's signature counter is unsigned 32-bit: more than integer holds. */
    counter: bigint('counter', { mode: 'number' }).notNull(),
    transports: text('transports').notNull(),
    createdAt: text('created_at').notNull(),
    lastUsedAt: text('last_used_at'),
  },
  (t) => [index('passkeys_person_id').on(t.personId)],
);

export const signInFlows = pgTable(
  'sign_in_flows',
  {
    idHash: text('id_hash').primaryKey(),
    kind: text('kind', { enum: ['passkey_register', 'passkey_sign_in', 'oidc'] }).notNull(),
    data: text('data').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('sign_in_flows_expires_at').on(t.expiresAt)],
);

export const pairingCodes = pgTable('pairing_codes', {
  codeHash: text('code_hash').primaryKey(),
  personId: text('person_id')
    .notNull()
    .references(() => people.id),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull(),
  usedAt: text('used_at'),
  failures: integer('failures').notNull().default(0),
});

export const pairingFailures = pgTable(
  'pairing_failures',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    client: text('client').notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('pairing_failures_client_at').on(t.client, t.at)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    at: text('at').notNull(),
    action: text('action').notNull(),
    personId: text('person_id'),
    deviceId: text('device_id'),
    applicationId: text('application_id'),
    detail: text('detail').notNull(),
    /** Write order: the audit log lists newest first by it. */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
  },
  (t) => [index('audit_events_at').on(t.at), index('audit_events_seq').on(t.seq)],
);

export const alertEndpoints = pgTable('alert_endpoints', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  kind: text('kind', { enum: ['webhook', 'slack'] }).notNull(),
  events: text('events').notNull(),
  sealedSecret: text('sealed_secret').notNull(),
  keyId: text('key_id').notNull(),
  createdAt: text('created_at').notNull(),
});

export const alertEvents = pgTable('alert_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  createdAt: text('created_at').notNull(),
  payload: text('payload').notNull(),
  dedupeKey: text('dedupe_key').unique(),
});

export const alertDeliveries = pgTable(
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
    leaseUntil: text('lease_until'),
    lastAttemptAt: text('last_attempt_at'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
  },
  (t) => [index('alert_deliveries_due').on(t.status, t.nextAttemptAt), index('alert_deliveries_endpoint').on(t.endpointId)],
);
