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
  /** The account an organization key acts on for it (`Stripe-Context`); null: none declared. */
  stripeAccount: string | null;
};

/** An application's Stripe integration: its sealed key and what the last check found. */
export type IntegrationRow = {
  applicationId: string;
  keyType: 'secret' | 'restricted' | 'organization';
  /** An organization key's mode is what Stripe answered. */
  mode: 'test' | 'live';
  maskedKey: string;
  accountId: string | null;
  /** The account's display name in Stripe (a sandbox's name); null when the key may not read it. */
  accountName: string | null;
  status: 'connected' | 'missing_permissions' | 'invalid' | 'unverified';
  /** JSON: Record<PermissionId, boolean> */
  permissions: string;
  source: 'extension' | 'manual' | 'api' | 'import';
  connectedAt: string;
  lastValidatedAt: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  /** HMAC of the key: finds the same key connected elsewhere without decrypting anything. */
  fingerprint: string;
  /** nonce ‖ AES-256-GCM ciphertext ‖ tag, base64; AAD is the application id. */
  sealedKey: string;
  keyId: string;
  /** When the key stops working at Stripe: it was rotated there with an Expiration and this application still holds it. */
  keyExpiresAt: string | null;
};

/**
 * The stored integration with the scheduled re-check's claim, which is the schedule's business
 * and never leaves the repositories.
 */
export type IntegrationTableRow = IntegrationRow & { recheckLeaseUntil: string | null };

/** A person: every device and console session belongs to one, and their role is what they may do (shared/roles.ts). */
export type PersonRow = {
  id: string;
  name: string;
  /** Lower-cased; unique among people. null: none given (sign-in by passkey or pairing code only). */
  email: string | null;
  role: 'admin' | 'member' | 'viewer';
  createdAt: string;
  /** Set when disabled: their devices and sessions are revoked with it, and nothing of theirs authenticates. */
  disabledAt: string | null;
};

export type DeviceRow = {
  id: string;
  /** The person the device acts for. */
  personId: string;
  name: string;
  /** SHA-256 of the bearer token; the token itself is never stored. */
  tokenHash: string;
  createdAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
};

/**
 * A console session. Its credential has two parts, neither valid alone: a random id in an HttpOnly
 * cookie and a secret the console keeps in its own origin's storage; the server keeps only their
 * SHA-256 digests. `id` is the session's public name (`ses_…`), for listing and revoking.
 */
export type SessionRow = {
  id: string;
  personId: string;
  cookieHash: string;
  secretHash: string;
  /** How the person signed in. */
  method: 'passkey' | 'oidc' | 'code';
  userAgent: string | null;
  createdAt: string;
  /** Idle expiry counts from here (SERVAL_SESSION_IDLE_MINUTES); updated at most once a minute. */
  lastSeenAt: string;
  /** The absolute end: createdAt + SERVAL_SESSION_MAX_HOURS. */
  expiresAt: string;
  revokedAt: string | null;
};

/** A sign-in enrolment link for a person: single use, 72 h. Only the token's SHA-256 is stored. */
export type InviteRow = {
  tokenHash: string;
  personId: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
};

/** A WebAuthn credential (passkey) a person registered. */
export type PasskeyRow = {
  /** The credential id, base64url. */
  id: string;
  personId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  counter: number;
  /** JSON: the authenticator's transports (string[]). */
  transports: string;
  createdAt: string;
  lastUsedAt: string | null;
};

/**
 * A sign-in in progress, between its two requests (a WebAuthn challenge, or OpenID Connect's
 * state, nonce and PKCE verifier): stored so that any instance can finish it, single use, short-lived.
 */
export type SignInFlowRow = {
  /** SHA-256 of the flow's random handle, which only the browser holds. */
  idHash: string;
  kind: 'passkey_register' | 'passkey_sign_in' | 'oidc';
  /** JSON: what the second request checks against (challenge, invite, state, nonce, code verifier…). */
  data: string;
  expiresAt: string;
};

export type PairingCodeRow = {
  codeHash: string;
  /** The person the device (or console session) it pairs will act for. */
  personId: string;
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
  /** Who did it; null: the server itself (a scheduled re-check) or history from before people. */
  personId: string | null;
  deviceId: string | null;
  applicationId: string | null;
  /** JSON; masked keys only. */
  detail: string;
};

/** An audit event as stored: the log lists newest first by `seq`, the order the events were written. */
export type AuditRow = AuditEntryRow & { seq: number };

/** Where alerts go (an admin's webhook or Slack incoming webhook). */
export type AlertEndpointRow = {
  id: string;
  url: string;
  kind: 'webhook' | 'slack';
  /** JSON: the event types it receives (string[]). */
  events: string;
  /** The signing secret, sealed under the master key as a Stripe key is; AAD: the endpoint's id. */
  sealedSecret: string;
  keyId: string;
  createdAt: string;
};

/** An alert event in the outbox, written in the transaction of the change it tells of. */
export type AlertEventRow = {
  id: string;
  type: string;
  createdAt: string;
  /** JSON: the webhook body, byte for byte (what is signed); masked keys only. */
  payload: string;
  /** For events found by looking rather than by a change (a key due for rotation): written once. */
  dedupeKey: string | null;
};

/** One event on its way to one endpoint: claimed by one sender at a time, retried until delivered or failed. */
export type AlertDeliveryRow = {
  id: string;
  eventId: string;
  endpointId: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  /** A sender's claim: until then, one instance is sending it. */
  leaseUntil: string | null;
  lastAttemptAt: string | null;
  /** The receiver's HTTP status; null when none came (timeout, refused, connection closed). */
  lastStatus: number | null;
  lastError: string | null;
};

/** True when A and B are the same type: ./schemas-hold-rows.ts holds both schemas to the rows above with it. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
