/**
 * Checks a key with Stripe: the account lookup and the five permission probes, all at once, so a
 * check costs about one round trip to Stripe rather than six.
 */
import type Stripe from 'stripe';
import type { ParsedKey } from '../../shared/keys.js';
import { NONEXISTENT_CUSTOMER_ID, type PermissionId } from '../../shared/permissions.js';
import { createStripeClient, type ClientOptions, type StripeSettings } from './client.js';
import { describeStripeFailure } from './failures.js';
import { decideVerdict, type CallResult, type CheckAnswers, type Verdict } from './verdict.js';

/**
 * `stripeAccount`: the account an organization key acts on, sent as `Stripe-Context` with each of
 * the six requests (other keys act on their own account and send none).
 */
export type KeyChecker = { check(key: ParsedKey, stripeAccount?: string | null, options?: CheckOptions): Promise<Verdict> };

/** `pace`: awaited before each of the six requests (and any retry) goes — the scheduled re-checks' pacing. */
export type CheckOptions = ClientOptions;

const PROBES: Record<PermissionId, (stripe: Stripe) => Promise<unknown>> = {
  charges_read: (s) => s.charges.list({ limit: 1 }),
  customers_read: (s) => s.customers.list({ limit: 1 }),
  // Never POST /v1/customers: it would create one. Updating a customer that can't exist is 404
  // with the write permission and 403 without, and changes nothing.
  customers_write: (s) => s.customers.update(NONEXISTENT_CUSTOMER_ID, {}),
  balance_read: (s) => s.balance.retrieve(),
  balance_transactions_read: (s) => s.balanceTransactions.list({ limit: 1 }),
};

export function createKeyChecker(settings: StripeSettings, now: () => Date = () => new Date()): KeyChecker {
  return {
    async check(key, stripeAccount = null, options = {}) {
      const context = key.keyType === 'organization' ? stripeAccount : null;
      const stripe = await createStripeClient(key.key, settings, context, options);
      const [account, ...probeResults] = await Promise.all([
        settle(stripe.accounts.retrieveCurrent().then((a) => ({ id: a.id, name: accountName(a) }))),
        ...Object.values(PROBES).map((probe) => settle(probe(stripe))),
      ]);
      const probes = Object.fromEntries(Object.keys(PROBES).map((id, i) => [id, probeResults[i]])) as Record<PermissionId, CallResult<unknown>>;
      return decideVerdict(key, { account: account as CheckAnswers['account'], probes }, now().toISOString(), context);
    },
  };
}

/**
 * The account's name as the Dashboard shows it (and names a sandbox): `settings.dashboard.display_name`,
 * "used on the Stripe Dashboard to differentiate between accounts" (stripe-node 23, resources/Accounts.d.ts,
 * Account.Settings.Dashboard); else the public business name (`business_profile.name`).
 */
export function accountName(account: Pick<Stripe.Account, 'settings' | 'business_profile'>): string | null {
  return account.settings?.dashboard?.display_name || account.business_profile?.name || null;
}

async function settle<T>(promise: Promise<T>): Promise<CallResult<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, failure: describeStripeFailure(error) };
  }
}
