/**
 * The rows the database holds, whichever dialect holds them: the storage contract's own types.
 * Both drizzle schemas (./sqlite/schema.ts, ./postgres/schema.ts) are checked against them at
 * compile time, so a column added to one schema and not to the other, or typed differently,
 * does not compile. Times are ISO-8601 text in UTC on both dialects, so they compare and sort
 * the same way.
 */

export type SettingRow = { name: string; value: string };

export type ApplicationRow = {
  id: string;
  name: string;
  createdAt: string;
  /** The Stripe mode the application is meant to use; null: not declared. */
  environment: 'test' | 'live' | null;
};

/** An application's Stripe integration: its sealed key and what the last check found. */
export type IntegrationRow = {
  applicationId: string;
  keyType: 'secret' | 'restricted';
  mode: 'test' | 'live';
  maskedKey: string;
  accountId: string | null;
  status: 'connected' | 'missing_permissions' | 'invalid' | 'unverified';
  /** JSON: Record<PermissionId, boolean> */
  permissions: string;
  source: 'extension' | 'manual' | 'api';
  connectedAt: string;
  lastValidatedAt: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  /** HMAC of the key: finds the same key connected elsewhere without decrypting anything. */
  fingerprint: string;
  /** nonce ‖ AES-256-GCM ciphertext ‖ tag, base64; AAD is the application id. */
  sealedKey: string;
  keyId: string;
};

/**
 * The stored integration with the scheduled re-check's claim, which is the schedule's business
 * and never leaves the repositories.
 */
export type IntegrationTableRow = IntegrationRow & { recheckLeaseUntil: string | null };

export type DeviceRow = {
  id: string;
  name: string;
  /** SHA-256 of the bearer token; the token itself is never stored. */
  tokenHash: string;
  createdAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
};

export type PairingCodeRow = {
  codeHash: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  failures: number;
};

export type PairingFailureRow = { id: number; client: string; at: string };

/** An audit event as written: `seq`, its place in the log, is the database's to give. */
export type AuditEntryRow = {
  id: string;
  at: string;
  action: string;
  deviceId: string | null;
  applicationId: string | null;
  /** JSON; masked keys only. */
  detail: string;
};

/** An audit event as stored: the log lists newest first by `seq`, the order the events were written. */
export type AuditRow = AuditEntryRow & { seq: number };

/** True when A and B are the same type: ./schemas-hold-rows.ts holds both schemas to the rows above with it. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
