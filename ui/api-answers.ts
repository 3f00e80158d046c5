/**
 * The answers the REST client reads (ui/api-client.ts), as the shared schemas with one allowance:
 * a backend a release older than this client leaves out fields added since, and each reads as its
 * "none" — no version, no counts (0), no Stripe account, no account name, no key expiry (null), no
 * replacements. Everything else is held to the contract.
 */
import './zod-without-eval';
import { z } from 'zod';
import { ApplicationSchema, IntegrationSchema, RotateResponseSchema, StatusSchema, StripeAccountSchema, ValidationSchema } from '../shared/api.js';

const orNull = <T extends z.ZodType>(schema: T) => schema.optional().transform((value) => value ?? null);
const orZero = z
  .number()
  .int()
  .optional()
  .transform((n) => n ?? 0);

export const IntegrationAnswerSchema = IntegrationSchema.extend({
  accountName: orNull(z.string().nullable()),
  keyExpiresAt: orNull(z.string().nullable()),
});
export const ValidationAnswerSchema = ValidationSchema.extend({ accountName: orNull(z.string().nullable()) });
export const ApplicationAnswerSchema = ApplicationSchema.extend({ stripeAccount: orNull(StripeAccountSchema), stripe: IntegrationAnswerSchema.nullable() });

export const ApplicationListAnswerSchema = z.object({ applications: z.array(ApplicationAnswerSchema) });
export const ApplicationAnswer = z.object({ application: ApplicationAnswerSchema });
export const IntegrationWithValidationAnswerSchema = z.object({ integration: IntegrationAnswerSchema, validation: ValidationAnswerSchema });

/** GET /api/status as the popup reads it: older backends sent no version (the popup then takes it from /api/health). */
export const StatusAnswerSchema = StatusSchema.extend({
  version: z.string().optional(),
  integrations: StatusSchema.shape.integrations.extend({ rotationDue: orZero, expiringSoon: orZero }),
});
export type StatusAnswer = z.infer<typeof StatusAnswerSchema>;

/** POST /api/stripe/rotate as the card reads it. */
export const RotateAnswerSchema = RotateResponseSchema.extend({
  validation: ValidationAnswerSchema,
  integrations: z.array(IntegrationAnswerSchema),
  replacements: RotateResponseSchema.shape.replacements.optional().transform((r) => r ?? []),
});
