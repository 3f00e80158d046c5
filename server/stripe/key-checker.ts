/**
 * Checks a key with Stripe: the account lookup and the five permission probes, all at once, so a
 * check costs about one round trip to Stripe rather than six.
 */
import type Stripe from 'stripe';
import type { ParsedKey } from '../../shared/keys.js';
import { NONEXISTENT_CUSTOMER_ID, type PermissionId } from '../../shared/permissions.js';
import { createStripeClient, type StripeSettings } from './client.js';
import { describeStripeFailure } from './failures.js';
import { decideVerdict, type CallResult, type Verdict } from './verdict.js';

export type KeyChecker = { check(key: ParsedKey): Promise<Verdict> };

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
    async check(key) {
      const stripe = await createStripeClient(key.key, settings);
      const [account, ...probeResults] = await Promise.all([
        settle(stripe.accounts.retrieveCurrent().then((a) => ({ id: a.id }))),
        ...Object.values(PROBES).map((probe) => settle(probe(stripe))),
      ]);
      const probes = Object.fromEntries(Object.keys(PROBES).map((id, i) => [id, probeResults[i]])) as Record<PermissionId, CallResult<unknown>>;
      return decideVerdict(key, { account: account as CallResult<{ id: string }>, probes }, now().toISOString());
    },
  };
}

async function settle<T>(promise: Promise<T>): Promise<CallResult<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, failure: describeStripeFailure(error) };
  }
}
