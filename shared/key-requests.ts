/**
 * The request bodies that carry a Stripe key: a Send (PUT …/integrations/stripe), a rotation
 * (POST /api/stripe/rotate) and a check without storing (POST /api/stripe/validate). zod schemas,
 * as in ./api.ts, whose values they use.
 */
import { z } from 'zod';
import { StripeAccountSchema } from './api.js';

/**
 * When the key a Send replaces stops working, as chosen in the Stripe Dashboard's Rotate dialog
 * (Expiration: Now, 1 hour, 24 hours, 3 days, 7 days): an ISO time from now to 7 days ahead.
 */
export const PreviousKeyExpiresAtSchema = z.iso.datetime({ offset: true, message: 'previousKeyExpiresAt must be an ISO 8601 time' });

/** The key is checked by the shared key parser, not here, so that its answer is the right 422. */
export const ApiKeyInputSchema = z.string().max(1000, 'apiKey is far longer than any Stripe key');

/** What a request may say it came from: `import` is only ever set by `npm run import` itself, on the backend's machine. */
export const RequestKeySourceSchema = z.enum(['extension', 'manual', 'api']);

export const PutStripeIntegrationSchema = z.object({
  apiKey: ApiKeyInputSchema,
  source: RequestKeySourceSchema.optional(),
  previousKeyExpiresAt: PreviousKeyExpiresAtSchema.optional(),
});
/** `stripeAccount`: the account an organization key is checked against (Stripe-Context); other keys ignore it. */
export const ValidateKeySchema = z.object({ apiKey: ApiKeyInputSchema, stripeAccount: StripeAccountSchema.optional() });

/** POST /api/stripe/rotate: one new key for several applications, all or nothing. */
export const RotateKeySchema = z.object({
  apiKey: ApiKeyInputSchema,
  applicationIds: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'An application id holds only letters, digits, _ and -'))
    .min(1, 'List at least one application')
    .max(100),
  source: RequestKeySourceSchema.optional(),
  previousKeyExpiresAt: PreviousKeyExpiresAtSchema.optional(),
});
