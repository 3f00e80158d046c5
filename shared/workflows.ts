/**
 * Query and body schemas of the Stripe workflow routes. Ids are checked for shape here, so a
 * malformed id never reaches Stripe.
 */
import { z } from 'zod';

const stripeId = (prefixes: string[]) =>
  z
    .string()
    .regex(new RegExp(`^(?:${prefixes.join('|')})_[A-Za-z0-9]{1,250}$`), `must be a Stripe id starting with ${prefixes.map((p) => `${p}_`).join(' or ')}`);

export const CustomerIdSchema = stripeId(['cus']);
export const ChargeIdSchema = stripeId(['ch', 'py']);
export const BalanceTransactionIdSchema = stripeId(['txn']);

/** Digits only (no `1e1`, `0x10`, ` 5`): what reaches Stripe is exactly what was asked for. */
const limit = z
  .string()
  .regex(/^\d{1,3}$/, 'limit must be a whole number from 1 to 100')
  .transform(Number)
  .pipe(z.number().int().min(1, 'limit must be at least 1').max(100, 'limit must be at most 100'))
  .optional()
  .meta({ description: 'How many objects, 1 to 100 (Stripe’s default: 10).' });

function page<T extends z.ZodType>(id: T) {
  return { limit, starting_after: id.optional(), ending_before: id.optional() };
}

const oneCursor = (q: { starting_after?: string; ending_before?: string }) => !(q.starting_after && q.ending_before);
const oneCursorError = { message: 'Use starting_after or ending_before, not both', path: ['ending_before'] };

export const ChargesQuerySchema = z
  .object({ ...page(ChargeIdSchema), customer: CustomerIdSchema.optional() })
  .strict()
  .refine(oneCursor, oneCursorError);

/** Routes that take no query parameters still refuse unknown ones, like the list routes. */
export const NoQuerySchema = z.object({}).strict();

export const CustomersQuerySchema = z
  .object({ ...page(CustomerIdSchema), email: z.string().min(1).max(512).optional() })
  .strict()
  .refine(oneCursor, oneCursorError);

export const BALANCE_TRANSACTION_TYPES = [
  'adjustment',
  'advance',
  'advance_funding',
  'anticipation_repayment',
  'application_fee',
  'application_fee_refund',
  'charge',
  'climate_order_purchase',
  'climate_order_refund',
  'connect_collection_transfer',
  'contribution',
  'issuing_authorization_hold',
  'issuing_authorization_release',
  'issuing_dispute',
  'issuing_transaction',
  'obligation_outbound',
  'obligation_reversal_inbound',
  'payment',
  'payment_failure_refund',
  'payment_network_reserve_hold',
  'payment_network_reserve_release',
  'payment_refund',
  'payment_reversal',
  'payment_unreconciled',
  'payout',
  'payout_cancel',
  'payout_failure',
  'payout_minimum_balance_hold',
  'payout_minimum_balance_release',
  'refund',
  'refund_failure',
  'reserve_transaction',
  'reserved_funds',
  'stripe_balance_payment_debit',
  'stripe_balance_payment_debit_reversal',
  'stripe_fee',
  'stripe_fx_fee',
  'tax_fee',
  'topup',
  'topup_reversal',
  'transfer',
  'transfer_cancel',
  'transfer_failure',
  'transfer_refund',
] as const;

export const BalanceTransactionsQuerySchema = z
  .object({ ...page(BalanceTransactionIdSchema), type: z.enum(BALANCE_TRANSACTION_TYPES).optional() })
  .strict()
  .refine(oneCursor, oneCursorError);

const text = (max: number) => z.string().max(max);

/** The customer fields Serval's billing workflows set. Stripe's own limits. */
export const CustomerFieldsSchema = z
  .object({
    name: text(256).optional(),
    /** An empty string clears the field, as Stripe allows for every text field here. */
    email: z.union([z.email().max(512), z.literal('')]).optional(),
    description: text(350).optional(),
    phone: text(20).optional(),
    metadata: z
      .record(z.string().min(1).max(40), z.string().max(500))
      .refine((m) => Object.keys(m).length <= 50, 'metadata may have at most 50 keys')
      .optional(),
  })
  .strict();

export const IdempotencyKeySchema = z.string().min(1).max(255);
