/**
 * The REST API's shapes, as zod schemas. The server validates with them and builds its OpenAPI
 * document from them; the extension takes its client types from them.
 */
import { z } from 'zod';
import { PERMISSION_IDS } from './permissions.js';

export const KeyTypeSchema = z.enum(['secret', 'restricted']);
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
export const KeySourceSchema = z.enum(['extension', 'manual', 'api']);

export const WarningSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** account_used_elsewhere: `{applications: [{id, name, maskedKey}]}`, the applications still holding the account's older key. */
  details: z.unknown().optional(),
});

/** Which Stripe mode an application is meant to use; null: not declared. */
export const EnvironmentSchema = z.enum(['test', 'live']).nullable();

export const IntegrationSchema = z
  .object({
    applicationId: z.string(),
    provider: z.literal('stripe'),
    keyType: KeyTypeSchema,
    mode: KeyModeSchema,
    maskedKey: z.string().meta({ example: 'rk_test_…Ab12' }),
    accountId: z.string().nullable(),
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
  })
  .meta({ id: 'Integration' });

export const ValidationSchema = z
  .object({
    valid: z.boolean(),
    keyType: KeyTypeSchema,
    mode: KeyModeSchema,
    accountId: z.string().nullable(),
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
    stripe: IntegrationSchema.nullable(),
  })
  .meta({ id: 'Application' });

export const DeviceSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), lastSeenAt: z.string().nullable() }).meta({ id: 'Device' });

export const AuditEventSchema = z
  .object({
    id: z.string(),
    at: z.string(),
    action: z.string(),
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

export const CreateApplicationSchema = z.object({ name: ApplicationNameSchema, environment: EnvironmentSchema.optional() });
/** Partial: what is sent changes, what is left out stays. */
export const UpdateApplicationSchema = z
  .object({ name: ApplicationNameSchema.optional(), environment: EnvironmentSchema.optional() })
  .refine((v) => v.name !== undefined || v.environment !== undefined, { message: 'Send name, environment or both' });

/** The key is checked by the shared key parser, not here, so that its answer is the right 422. */
export const ApiKeyInputSchema = z.string().max(1000, 'apiKey is far longer than any Stripe key');

export const PutStripeIntegrationSchema = z.object({
  apiKey: ApiKeyInputSchema,
  source: KeySourceSchema.optional(),
});
export const ValidateKeySchema = z.object({ apiKey: ApiKeyInputSchema });

/** POST /api/stripe/rotate: one new key for several applications, all or nothing. */
export const RotateKeySchema = z.object({
  apiKey: ApiKeyInputSchema,
  applicationIds: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'An application id holds only letters, digits, _ and -'))
    .min(1, 'List at least one application')
    .max(100),
  source: KeySourceSchema.optional(),
});

// ---- responses ------------------------------------------------------------------------------

export const HealthSchema = z.object({ status: z.literal('ok'), version: z.string() });
/** GET /api/health while the database is unreachable (503). */
export const HealthUnavailableSchema = z.object({ status: z.literal('unavailable'), version: z.string() });
export const StatusSchema = z.object({
  device: z.object({ id: z.string(), name: z.string() }),
  applications: z.number().int(),
  integrations: z.object({
    connected: z.number().int(),
    needsAttention: z.number().int(),
    /** Keys older than SERVAL_KEY_MAX_AGE_DAYS. */
    rotationDue: z.number().int(),
  }),
  version: z.string(),
});
export const IntegrationWithValidationSchema = z.object({ integration: IntegrationSchema, validation: ValidationSchema });
export const RotateResponseSchema = z.object({ validation: ValidationSchema, integrations: z.array(IntegrationSchema) });
export const ApplicationListSchema = z.object({ applications: z.array(ApplicationSchema) });
export const ApplicationResponseSchema = z.object({ application: ApplicationSchema });
export const DeviceListSchema = z.object({ devices: z.array(DeviceSchema) });
export const AuditListSchema = z.object({ events: z.array(AuditEventSchema) });
/** GET and POST /api/session: the device this console session signs in as. */
export const SessionSchema = z.object({ device: z.object({ id: z.string(), name: z.string() }) });

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
export type SessionDevice = z.infer<typeof SessionSchema>['device'];

/** An integration needs attention when it cannot do all of Serval's work. */
export function needsAttention(integration: Pick<Integration, 'status'>): boolean {
  return integration.status !== 'connected';
}
