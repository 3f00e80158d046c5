/**
 * Organizations, sandboxes, and what an organization key (`sk_org_…`) acts on. As Stripe documents:
 *
 * - An organization groups accounts; one organization key acts on any of them. Organization keys
 *   are all secrets, all prefixed `sk_org` whatever their permissions (there is no `rk_org`), may
 *   be limited to some permissions, work in sandboxes and in live mode, and every request made
 *   with one must name the account it affects in the `Stripe-Context` header and carry a
 *   `Stripe-Version` (docs.stripe.com/keys/organization-api-keys; docs.stripe.com/context: "Any
 *   account in your organization", named by its account id).
 * - An account the key may not act on — outside its organization, or no account at all — is
 *   Stripe's 403 with `code: account_invalid`: "The provided key '<key masked to its last 6>' does
 *   not have access to account 'acct_…' (or that account does not exist). Application access may
 *   have been revoked." (stripe-php tests/Stripe/ErrorTest.php `testRaisesPermissionErrorOn403`;
 *   the same body, with code and doc_url, in a Go client's fixture of a real answer; the code is in
 *   Stripe's error-code list, docs.stripe.com/error-codes#account-invalid.)
 * - A request with an organization key and no `Stripe-Context` (or no `Stripe-Version`) is refused;
 *   Stripe's exact answer is UNCONFIRMED: a 400 invalid_request_error here. Serval never sends one.
 * - Sandboxes replaced test mode: each sandbox is its own account, with its own test keys and a
 *   name (docs.stripe.com/sandboxes; up to five per account, docs.stripe.com/testing/overview); the
 *   name is the account's `settings.dashboard.display_name`, "used on the Stripe Dashboard to
 *   differentiate between accounts" (stripe-node 23, resources/Accounts.d.ts).
 * - An organization key acting on a sandbox acts in test mode (`livemode: false` on what it
 *   reads); on any other account of the organization, in live mode.
 */
import type { KeyRecord } from './keys.js';
import { StripeWireError, codedError, maskKeyLast6 } from './wire.js';
import { randomAlnum } from './wire.js';

export type AccountInfo = { name: string; sandbox: boolean };

export class Organizations {
  private readonly members = new Map<string, Set<string>>();
  private readonly accounts = new Map<string, AccountInfo>();

  /** An organization of these accounts: its id (`org_…`). */
  create(accountIds: string[]): string {
    const id = `org_${randomAlnum(14)}`;
    this.members.set(id, new Set(accountIds));
    return id;
  }

  addAccount(organizationId: string, accountId: string): void {
    this.known(organizationId).add(accountId);
  }

  has(organizationId: string, accountId: string): boolean {
    return this.members.get(organizationId)?.has(accountId) ?? false;
  }

  describe(accountId: string, info: AccountInfo): void {
    this.accounts.set(accountId, info);
  }

  info(accountId: string): AccountInfo | undefined {
    return this.accounts.get(accountId);
  }

  private known(organizationId: string): Set<string> {
    const members = this.members.get(organizationId);
    if (!members) throw new Error(`Stripe test server: unknown organization ${organizationId}`);
    return members;
  }
}

/**
 * The key as it acts on this request. A key of an account acts on its own account. An organization
 * key acts on the account its `Stripe-Context` names, in that account's mode (a sandbox's: test),
 * or is refused as Stripe refuses it.
 */
export function actingKey(key: KeyRecord, headers: { stripeContext?: string; stripeVersion?: string }, orgs: Organizations): KeyRecord {
  if (key.type !== 'organization') return key;
  if (!headers.stripeContext || !headers.stripeVersion) {
    throw new StripeWireError(400, {
      type: 'invalid_request_error',
      message: `Requests made with an organization API key must include the ${headers.stripeContext ? 'Stripe-Version' : 'Stripe-Context'} header.`,
    });
  }
  const accountId = headers.stripeContext;
  if (!orgs.has(key.accountId, accountId)) {
    throw codedError(
      403,
      'account_invalid',
      `The provided key '${maskKeyLast6(key.key)}' does not have access to account '${accountId}' (or that account does not exist). Application access may have been revoked.`,
    );
  }
  return { ...key, accountId, mode: orgs.info(accountId)?.sandbox === false ? 'live' : 'test' };
}
