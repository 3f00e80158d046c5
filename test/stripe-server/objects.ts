/**
 * Factories for the Stripe objects this server returns, typed with the `stripe` package's own
 * types and written without casts, so that a field Stripe adds or changes breaks `tsc` here.
 * Every required field is filled, plus the optional ones Stripe sends by default.
 * Objects are stored with `livemode: false`; responses restamp it from the caller's key mode.
 */
import type Stripe from 'stripe';
import { randomAlnum } from './wire.js';

export const CURRENCY = 'usd';

export const ids = {
  customer: () => `cus_${randomAlnum(14)}`,
  charge: () => `ch_3${randomAlnum(23)}`,
  balanceTransaction: () => `txn_3${randomAlnum(23)}`,
  paymentIntent: () => `pi_3${randomAlnum(23)}`,
  paymentMethod: () => `pm_1${randomAlnum(23)}`,
  payout: () => `po_1${randomAlnum(23)}`,
  refund: () => `re_3${randomAlnum(23)}`,
  fingerprint: () => randomAlnum(16),
};

const EMPTY_ADDRESS: Stripe.Address = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };

export interface CustomerFields {
  created: number;
  name?: string | null;
  email?: string | null;
  description?: string | null;
  phone?: string | null;
  metadata?: Stripe.Metadata;
}

export function newCustomer(fields: CustomerFields): Stripe.Customer {
  return {
    id: ids.customer(),
    object: 'customer',
    address: null,
    balance: 0,
    created: fields.created,
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: fields.description ?? null,
    discount: null,
    email: fields.email ?? null,
    invoice_prefix: randomAlnum(8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: fields.metadata ?? {},
    name: fields.name ?? null,
    next_invoice_sequence: 1,
    phone: fields.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

export interface ChargeFields {
  created: number;
  amount: number;
  customer: string | null;
  description?: string | null;
  receiptEmail?: string | null;
  balanceTransaction?: string | null;
}

/** A succeeded, captured card charge, as a test-mode `pm_card_visa` payment produces. */
export function newCharge(fields: ChargeFields): Stripe.Charge {
  const id = ids.charge();
  const card: Stripe.Charge.PaymentMethodDetails.Card = {
    amount_authorized: fields.amount,
    authorization_code: null,
    brand: 'visa',
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    country: 'US',
    electronic_commerce_indicator: null,
    exp_month: 12,
    exp_year: new Date(fields.created * 1000).getUTCFullYear() + 3,
    extended_authorization: { status: 'disabled' },
    fingerprint: ids.fingerprint(),
    funding: 'credit',
    incremental_authorization: { status: 'unavailable' },
    installments: null,
    last4: '4242',
    mandate: null,
    multicapture: { status: 'unavailable' },
    network: 'visa',
    network_token: { used: false },
    network_transaction_id: randomAlnum(15).toUpperCase(),
    overcapture: { maximum_amount_capturable: fields.amount, status: 'unavailable' },
    regulated_status: 'unregulated',
    three_d_secure: null,
    transaction_link_id: null,
    wallet: null,
  };
  return {
    id,
    object: 'charge',
    amount: fields.amount,
    amount_captured: fields.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: fields.balanceTransaction ?? ids.balanceTransaction(),
    billing_details: { address: EMPTY_ADDRESS, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'SERVAL TEST',
    captured: true,
    created: fields.created,
    currency: CURRENCY,
    customer: fields.customer,
    description: fields.description ?? null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: 10 + (fields.amount % 40),
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: ids.paymentIntent(),
    payment_method: ids.paymentMethod(),
    payment_method_details: { card, type: 'card' },
    radar_options: {},
    receipt_email: fields.receiptEmail ?? null,
    receipt_number: null,
    receipt_url: `https://pay.stripe.com/receipts/payment/${randomAlnum(60)}`,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

export interface BalanceTransactionFields {
  created: number;
  type: 'charge' | 'refund' | 'payout' | 'adjustment' | 'stripe_fee';
  /** Signed, in cents: positive for money in. */
  amount: number;
  source?: string | null;
  description?: string | null;
}

/** Stripe's card pricing (2.9% + 30¢) on charges; other types carry no fee. */
function cardFee(type: BalanceTransactionFields['type'], amount: number): number {
  return type === 'charge' ? Math.round(amount * 0.029) + 30 : 0;
}

const REPORTING_CATEGORY: Record<BalanceTransactionFields['type'], string> = {
  charge: 'charge',
  refund: 'refund',
  payout: 'payout',
  adjustment: 'other_adjustment',
  stripe_fee: 'fee',
};

const SOURCE_ID: Record<BalanceTransactionFields['type'], (() => string) | null> = {
  charge: ids.charge,
  refund: ids.refund,
  payout: ids.payout,
  adjustment: null,
  stripe_fee: null,
};

export function newBalanceTransaction(fields: BalanceTransactionFields): Stripe.BalanceTransaction {
  const fee = cardFee(fields.type, fields.amount);
  const availableOn = fields.created + 2 * 24 * 3600; // Stripe's standard 2-day US payout schedule
  return {
    id: ids.balanceTransaction(),
    object: 'balance_transaction',
    amount: fields.amount,
    available_on: availableOn,
    balance_type: 'payments',
    created: fields.created,
    currency: CURRENCY,
    description: fields.description ?? null,
    exchange_rate: null,
    fee,
    fee_details: fee ? [{ amount: fee, application: null, currency: CURRENCY, description: 'Stripe processing fees', type: 'stripe_fee' }] : [],
    net: fields.amount - fee,
    reporting_category: REPORTING_CATEGORY[fields.type],
    source: fields.source !== undefined ? fields.source : (SOURCE_ID[fields.type]?.() ?? null),
    status: availableOn * 1000 <= Date.now() ? 'available' : 'pending',
    type: fields.type,
  };
}

/** The balance implied by the account's balance transactions (net, split by availability). */
export function newBalance(transactions: readonly Stripe.BalanceTransaction[], livemode: boolean): Stripe.Balance {
  let available = 0;
  let pending = 0;
  for (const txn of transactions) {
    if (txn.status === 'available') available += txn.net;
    else pending += txn.net;
  }
  return {
    object: 'balance',
    available: [{ amount: available, currency: CURRENCY, source_types: { card: available } }],
    connect_reserved: [{ amount: 0, currency: CURRENCY }],
    livemode,
    pending: [{ amount: pending, currency: CURRENCY, source_types: { card: pending } }],
    refund_and_dispute_prefunding: {
      available: [{ amount: 0, currency: CURRENCY }],
      pending: [{ amount: 0, currency: CURRENCY }],
    },
  };
}

/** The caller's own account, as GET /v1/account returns it to a secret key. No `livemode` field. */
/** The name a new account shows in the Dashboard (and its public business name) unless given one. */
export const DEFAULT_ACCOUNT_NAME = 'Serval Test Shop';

/** `name`: the Dashboard's display name (`settings.dashboard.display_name`, a sandbox's name) and the business name. */
export function newAccount(accountId: string, created: number, name: string = DEFAULT_ACCOUNT_NAME): Stripe.Account {
  return {
    id: accountId,
    object: 'account',
    business_profile: {
      mcc: '5734',
      minority_owned_business_designation: null,
      name,
      specified_commercial_transactions_act_url: null,
      support_address: null,
      support_email: 'support@example.com',
      support_phone: null,
      support_url: null,
      url: 'https://example.com',
    },
    business_type: 'company',
    capabilities: { card_payments: 'active', transfers: 'active' },
    charges_enabled: true,
    controller: { type: 'account' },
    country: 'US',
    created,
    default_currency: CURRENCY,
    details_submitted: true,
    email: 'owner@example.com',
    metadata: {},
    payouts_enabled: true,
    settings: {
      branding: { icon: null, logo: null, primary_color: null, secondary_color: null },
      card_payments: { statement_descriptor_prefix: null, statement_descriptor_prefix_kana: null, statement_descriptor_prefix_kanji: null },
      dashboard: { display_name: name, timezone: 'Etc/UTC' },
      payments: {
        statement_descriptor: 'SERVAL TEST',
        statement_descriptor_kana: null,
        statement_descriptor_kanji: null,
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null,
      },
    },
    type: 'standard',
  };
}
