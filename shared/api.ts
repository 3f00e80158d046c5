/**
 * The REST API's shapes, as zod schemas. The server validates with them and builds its OpenAPI
 * document from them; the extension takes its client types from them.
 */
import { z } from 'zod';
import { PERMISSION_IDS } from './permissions.js';
import { ROLES } from './roles.js';

/** `organization`: an sk_org_ key, acting on the account its application names (`stripeAccount`). */
export const KeyTypeSchema = z.enum(['secret', 'restricted', 'organization']);
export const KeyModeSchema = z.enum(['test', 'live']);
export const PermissionIdSchema = z.enum(PERMISSION_IDS);
export const PermissionsSchema = z.object({
  charges_read: z.boolean(),
  customers_read: z.boolean(),
  customers_write: z.boolean(),
  balance_read: z.boolean(),
  balance_transactions_read: z.boolean(),
});

export const IntegrationStatusSchema = z.enum(['connected', 'missing_permissions', 'invalid', 'unverified']);
/** How a key came in: the extension's card, the console's manual flow, the API, or `npm run import` (a key that existed before). */
export const KeySourceSchema = z
  .enum(['extension', 'manual', 'api', 'import'])
  .meta({ description: "How the key came in: the extension, the console's manual flow, the API, or `npm run import` on the backend's machine" });

export const WarningSchema = z.object({
  code: z.string(),
  message: z.string(),
  /**
   * account_used_elsewhere: `{applications: [{id, name, maskedKey}]}`, the applications still holding the account's older key;
   * previous_key_expiring: `{expiresAt, expired, applications: [{id, name, maskedKey}]}`, the applications still holding the key
   * the Send replaced, and when it stops working (`expired`: it already has — the Rotate dialog's Now).
   */
  details: z.unknown().optional(),
});

/** Which Stripe mode an application is meant to use; null: not declared. */
export const EnvironmentSchema = z.enum(['test', 'live']).nullable();

/**
 * The Stripe account an application's organization key acts on (sent as `Stripe-Context`); null:
 * none declared. An organization key (sk_org_…) needs it; other keys act on their own account.
 */
export const StripeAccountSchema = z
  .string()
  .regex(/^acct_[A-Za-z0-9]{1,64}$/, 'stripeAccount must be a Stripe account id: acct_ and letters or digits')
  .nullable()
  .meta({ example: 'acct_1OuEMLAlTWGaDypq' });

export const IntegrationSchema = z
  .object({
    applicationId: z.string(),
    provider: z.literal('stripe'),
    keyType: KeyTypeSchema,
    mode: KeyModeSchema,
    maskedKey: z.string().meta({ example: 'rk_test_…Ab12' }),
    accountId: z.string().nullable(),
    /** The account's display name in Stripe (a sandbox's name); null when the key may not read it. */
    accountName: z.string().nullable(),
    status: IntegrationStatusSchema,
    permissions: PermissionsSchema,
    missingPermissions: z.array(PermissionIdSchema),
    source: KeySourceSchema,
    connectedAt: z.string(),
    lastValidatedAt: z.string().nullable(),
    lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
    /** When this key should be rotated (connectedAt + SERVAL_KEY_MAX_AGE_DAYS); null when key age is not tracked. */
    rotationDueAt: z.string().nullable(),
    rotationDue: z.boolean(),
    /** When this key stops working at Stripe: it was rotated there with an Expiration, and this application still holds the old key. */
    keyExpiresAt: z.string().nullable(),
  })
  .meta({ id: 'Integration' });

export const ValidationSchema = z
  .object({
    valid: z.boolean(),
    keyType: KeyTypeSchema,
    /** An organization key's mode is what Stripe answered, never its prefix. */
    mode: KeyModeSchema,
    accountId: z.string().nullable(),
    /** The account's display name in Stripe (a sandbox's name); null when the key may not read it. */
    accountName: z.string().nullable(),
    permissions: PermissionsSchema,
    missingPermissions: z.array(PermissionIdSchema),
    warnings: z.array(WarningSchema),
    checkedAt: z.string(),
  })
  .meta({ id: 'Validation' });

export const ApplicationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: z.string(),
    environment: EnvironmentSchema,
    stripeAccount: StripeAccountSchema,
    stripe: IntegrationSchema.nullable(),
  })
  .meta({ id: 'Application' });

export const RoleSchema = z.enum(ROLES);

export const PersonSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    role: RoleSchema,
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .meta({ id: 'Person' });

/** Who did something, as the audit log and the device and session lists name them. */
export const PersonRefSchema = z.object({ id: z.string(), name: z.string() }).meta({ id: 'PersonRef' });

export const DeviceSchema = z
  .object({ id: z.string(), name: z.string(), person: PersonRefSchema, createdAt: z.string(), lastSeenAt: z.string().nullable() })
  .meta({ id: 'Device' });

/** A console session, as listed beside the devices (never its credential). */
export const SessionInfoSchema = z
  .object({
    id: z.string(),
    person: PersonRefSchema,
    method: z.enum(['passkey', 'oidc', 'code']),
    userAgent: z.string().nullable(),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    expiresAt: z.string(),
    /** The session making this request. */
    current: z.boolean(),
  })
  .meta({ id: 'Session' });

export const AuditEventSchema = z
  .object({
    id: z.string(),
    at: z.string(),
    action: z.string(),
    person: PersonRefSchema.nullable(),
    deviceId: z.string().nullable(),
    applicationId: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEvent' });

export const ErrorResponseSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      hint: z.string().optional(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

// ---- requests -------------------------------------------------------------------------------

/** Names are what people type: trimmed, 1–100 characters, no control characters. */
export const ApplicationNameSchema = z
  .string()
  .trim()
  .min(1, 'Name must not be empty')
  .max(100, 'Name must be at most 100 characters')
  .regex(/^[^\p{Cc}]*$/u, 'Name must not contain control characters');

export const DeviceNameSchema = ApplicationNameSchema;

export const PairRequestSchema = z.object({
  code: z.string().min(1).max(32),
  deviceName: DeviceNameSchema,
});
export const PairResponseSchema = z.object({ token: z.string(), device: z.object({ id: z.string(), name: z.string() }) });

/** E-mail addresses compare lower-cased. */
export const EmailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email('Email must be an e-mail address'));

export const CreatePersonSchema = z.object({ name: ApplicationNameSchema, email: EmailSchema.nullable().optional(), role: RoleSchema });
/** Partial: what is sent changes, what is left out stays. */
export const UpdatePersonSchema = z
  .object({ name: ApplicationNameSchema.optional(), role: RoleSchema.optional(), disabled: z.boolean().optional() })
  .refine((v) => v.name !== undefined || v.role !== undefined || v.disabled !== undefined, { message: 'Send name, role, disabled or several' });

/** POST /api/pairing-codes: for yourself, or (an admin) for someone else. */
export const PairingCodeRequestSchema = z.object({
  personId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
});

/** POST /api/session: sign the console in with a pairing code (npm run pair). */
export const CodeSignInSchema = z.object({ code: z.string().min(1).max(32) });

export const CreateApplicationSchema = z.object({
  name: ApplicationNameSchema,
  environment: EnvironmentSchema.optional(),
  stripeAccount: StripeAccountSchema.optional(),
});
/** Partial: what is sent changes, what is left out stays. */
export const UpdateApplicationSchema = z
  .object({ name: ApplicationNameSchema.optional(), environment: EnvironmentSchema.optional(), stripeAccount: StripeAccountSchema.optional() })
  .refine((v) => v.name !== undefined || v.environment !== undefined || v.stripeAccount !== undefined, {
    message: 'Send name, environment, stripeAccount or several',
  });

// ---- responses ------------------------------------------------------------------------------

export const HealthSchema = z.object({ status: z.literal('ok'), version: z.string() });
/** GET /api/health while the database is unreachable (503). */
export const HealthUnavailableSchema = z.object({ status: z.literal('unavailable'), version: z.string() });
export const StatusSchema = z.object({
  /** The device asking; null when a console session asks. */
  device: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** Who is asking, with their role: what the extension may offer. */
  person: z.object({ id: z.string(), name: z.string(), role: RoleSchema }),
  applications: z.number().int(),
  integrations: z.object({
    connected: z.number().int(),
    needsAttention: z.number().int(),
    /** Keys older than SERVAL_KEY_MAX_AGE_DAYS. */
    rotationDue: z.number().int(),
    /** Keys that stop working at Stripe within 24 hours, or already have (rotated there with an Expiration). */
    expiringSoon: z.number().int(),
  }),
  version: z.string(),
});
export const IntegrationWithValidationSchema = z.object({ integration: IntegrationSchema, validation: ValidationSchema });
/** What a rotation did to one application, warned as a PUT would: `account_changed`, `mode_changed`. */
export const ReplacementSchema = z
  .object({ applicationId: z.string(), previousMaskedKey: z.string().nullable(), warnings: z.array(WarningSchema) })
  .meta({ id: 'Replacement' });
/** `validation.warnings`: about the key; `replacements`: per listed application, in the order of `integrations`. */
export const RotateResponseSchema = z.object({
  validation: ValidationSchema,
  integrations: z.array(IntegrationSchema),
  replacements: z.array(ReplacementSchema),
});
export const ApplicationListSchema = z.object({ applications: z.array(ApplicationSchema) });
export const ApplicationResponseSchema = z.object({ application: ApplicationSchema });
export const DeviceListSchema = z.object({ devices: z.array(DeviceSchema) });
export const AuditListSchema = z.object({ events: z.array(AuditEventSchema) });
/** GET /api/me: who is asking, and how (a device token, or a console session). */
export const MeSchema = z.object({ person: PersonSchema, via: z.enum(['device', 'session']) });
export const PeopleListSchema = z.object({ people: z.array(PersonSchema) });
export const PersonResponseSchema = z.object({ person: PersonSchema });
/** A sign-in enrolment link: single use, 72 h. */
export const InviteResponseSchema = z.object({ url: z.string(), expiresAt: z.string() });
export const PairingCodeResponseSchema = z.object({ code: z.string(), expiresAt: z.string() });
export const SessionListSchema = z.object({ sessions: z.array(SessionInfoSchema) });
/**
 * Every way of signing in ends here: the session cookie is set (HttpOnly), and `secret` — the
 * other half of the credential — goes to the console, which keeps it in its own origin's storage
 * and sends it as the X-Serval-Session header.
 */
export const SignInResponseSchema = z.object({
  person: PersonSchema,
  session: z.object({ id: z.string(), expiresAt: z.string() }),
  secret: z.string(),
});
/** GET /api/session/methods (public): what the sign-in page offers. */
export const SignInMethodsSchema = z.object({
  passkey: z.boolean(),
  sso: z.boolean(),
  /** Where passkeys work when the console was opened at an address that can't hold one (127.0.0.1): `http://localhost:8787`; null: here. */
  passkeyOrigin: z.string().nullable(),
});

export type KeySource = z.infer<typeof KeySourceSchema>;
export type IntegrationStatus = z.infer<typeof IntegrationStatusSchema>;
export type Integration = z.infer<typeof IntegrationSchema>;
export type Validation = z.infer<typeof ValidationSchema>;
export type Warning = z.infer<typeof WarningSchema>;
export type Application = z.infer<typeof ApplicationSchema>;
export type Device = z.infer<typeof DeviceSchema>;
export type AuditEvent = z.infer<typeof AuditEventSchema>;
export type Status = z.infer<typeof StatusSchema>;
export type Health = z.infer<typeof HealthSchema>;
export type PairResponse = z.infer<typeof PairResponseSchema>;
/** A check's verdict with the integration it produced: PUT …/integrations/stripe and its re-check. */
export type IntegrationWithValidation = z.infer<typeof IntegrationWithValidationSchema>;
export type RotateResponse = z.infer<typeof RotateResponseSchema>;
export type Role = z.infer<typeof RoleSchema>;
export type Person = z.infer<typeof PersonSchema>;
export type PersonRef = z.infer<typeof PersonRefSchema>;
export type Me = z.infer<typeof MeSchema>;
export type SessionInfo = z.infer<typeof SessionInfoSchema>;
export type SignInResponse = z.infer<typeof SignInResponseSchema>;
export type SignInMethods = z.infer<typeof SignInMethodsSchema>;

/** An integration needs attention when it cannot do all of Serval's work. */
export function needsAttention(integration: Pick<Integration, 'status'>): boolean {
  return integration.status !== 'connected';
}
