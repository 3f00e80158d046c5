/**
 * The first two checks Stripe makes on every request, in its order: who is calling (401) and
 * whether the key may call this endpoint (403), each worded as Stripe words it.
 */
import { BlockList, isIPv6 } from 'node:net';
import { permissionInfo } from '../../shared/permissions.js';
import type { KeyRecord, KeyRegistry, StripePermission } from './keys.js';
import { StripeWireError, docUrl, maskInvalidKey, maskKeyLast6, type WireReply } from './wire.js';

export type AuthOutcome = { ok: true; key: KeyRecord } | { ok: false; reply: WireReply };

const NO_KEY_MESSAGE =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";

const SPACE_SUFFIX =
  ' This key contains at least one space. Please delete the spaces and try again. If you have any questions, we can help at https://support.stripe.com/.';

const PUBLISHABLE_MESSAGE =
  'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.';

/** A publishable key Stripe would recognise as such (a well-formed one), registered or not. */
const PUBLISHABLE_SHAPE = /^pk_(?:test|live)_[A-Za-z0-9]{24,247}$/;

/** Bearer (what stripe-node sends) or HTTP Basic with the key as username. */
export function keyFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(.*)$/is.exec(header);
  if (bearer) return bearer[1] || null;
  const basic = /^Basic\s+(.+)$/is.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!.trim(), 'base64').toString('utf8');
    const username = decoded.split(':')[0];
    return username || null;
  }
  return null;
}

/** 401s before the key is known carry no Request-Id (stripe-node reports `requestId: undefined`). */
function unauthenticated(message: string): WireReply {
  return {
    status: 401,
    json: { error: { message, type: 'invalid_request_error' } },
    headers: { 'www-authenticate': 'Bearer realm="Stripe"' },
    anonymous: true,
  };
}

/**
 * A key limited to certain addresses (the Dashboard's API keys page, ⋯ → Manage IP restrictions),
 * used from any other address, whatever the endpoint. Stripe recommends the restriction
 * (docs.stripe.com/keys-best-practices: "configure API keys to only allow requests from specified
 * IP addresses") but documents no error body for it; what it answers is on record elsewhere:
 * - the message, word for word: PostHog/posthog
 *   products/warehouse_sources/backend/temporal/data_imports/sources/stripe/source.py and
 *   tests/test_stripe_source.py ("IP allowlist rejection", also seen with ` (1.2.3.4)` appended —
 *   PostHog matches the stable phrase, and so do we);
 * - the status: 401, raised by stripe-node as StripeAuthenticationError (a 2026 production log,
 *   Ch405-L9/universal-header-v4 CHANGELOG.md, "[2026-05-03] Diagnosed (Stripe configuration)").
 * No `code` has been seen with it, and the `type` is not on record: `invalid_request_error`, as for
 * every other 401 Stripe sends. Whether it carries a Request-Id is UNCONFIRMED; the key is known, so
 * like the expired-key 401 we send one.
 * So an IP-restricted key looks like an unknown one to anything that reads the status alone.
 */
export const IP_NOT_ALLOWED_MESSAGE = 'The API key provided does not allow requests from your IP address.';

function addressAllowed(allowed: readonly string[], address: string | undefined): boolean {
  if (!address) return false;
  const list = new BlockList();
  for (const entry of allowed) {
    const [ip, prefix] = entry.split('/');
    const family = isIPv6(ip!) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(ip!, family);
    else list.addSubnet(ip!, Number(prefix), family);
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]; // an IPv4 caller on a dual-stack socket
  const caller = mapped ?? address;
  return list.check(caller, isIPv6(caller) ? 'ipv6' : 'ipv4');
}

/** `remoteAddress`: the caller's address as the socket sees it (loopback, for every test). */
export function authenticate(header: string | undefined, keys: KeyRegistry, remoteAddress?: string): AuthOutcome {
  const key = keyFromAuthorization(header);
  if (key === null) return { ok: false, reply: unauthenticated(NO_KEY_MESSAGE) };

  const record = keys.lookup(key);
  if (record?.type === 'publishable' || (!record && PUBLISHABLE_SHAPE.test(key))) {
    return { ok: false, reply: new StripeWireError(403, { type: 'invalid_request_error', message: PUBLISHABLE_MESSAGE }).toReply() };
  }
  if (!record) {
    const suffix = /\s/.test(key) ? SPACE_SUFFIX : '';
    return { ok: false, reply: unauthenticated(`Invalid API Key provided: ${maskInvalidKey(key)}${suffix}`) };
  }
  if (record.expired) {
    // The key is known, so (unlike the invalid-key 401) this one carries a Request-Id.
    const reply = new StripeWireError(401, {
      type: 'invalid_request_error',
      code: 'api_key_expired',
      doc_url: docUrl('api_key_expired'),
      message: `Expired API Key provided: ${maskKeyLast6(key)}`,
    }).toReply();
    reply.headers = { 'www-authenticate': 'Bearer realm="Stripe"' };
    return { ok: false, reply };
  }
  if (record.allowedIps && !addressAllowed(record.allowedIps, remoteAddress)) {
    const reply = new StripeWireError(401, { type: 'invalid_request_error', message: IP_NOT_ALLOWED_MESSAGE }).toReply();
    reply.headers = { 'www-authenticate': 'Bearer realm="Stripe"' };
    return { ok: false, reply };
  }
  return { ok: true, key: record };
}

export function hasPermission(key: KeyRecord, permission: StripePermission): boolean {
  if (key.type === 'secret') return true;
  if (key.permissions.has(permission)) return true;
  // Stripe: "any key that can write an API resource can also read that resource".
  return permission === 'customers_read' && key.permissions.has('customers_write');
}

export type PermissionWording = 'A' | 'B';

/**
 * How the newer (Format B) wording names each permission. Only the quoting pattern is attested
 * (`Enabling "Customers Write" ('customer_write')`); the charge label comes from one fixture.
 */
const FORMAT_B_LABELS: Record<StripePermission, string> = {
  charges_read: 'Charges and Refunds Read',
  customers_read: 'Customers Read',
  customers_write: 'Customers Write',
  balance_read: 'Balance Read',
  balance_transactions_read: 'Balance Transaction Sources Read',
};

function keyOnAccount(key: KeyRecord): string {
  return `The provided key '${maskKeyLast6(key.key)}' does not have the required permissions for this endpoint on account '${key.accountId}'.`;
}

/** The 403 for a restricted key lacking `permission`, or null when it may go on. */
export function checkPermission(key: KeyRecord, permission: StripePermission, wording: PermissionWording): StripeWireError | null {
  if (hasPermission(key, permission)) return null;
  const scope = permissionInfo(permission).scope; // rak_customer_write
  if (wording === 'A') {
    return new StripeWireError(403, {
      type: 'invalid_request_error',
      message: `${keyOnAccount(key)} Having the '${scope}' permission would allow this request to continue.`,
    });
  }
  const shortScope = scope.replace(/^rak_/, '');
  const editUrl = `https://dashboard.stripe.com/b/${key.accountId}?destination=${encodeURIComponent(`/apikeys/${key.dashboardId}/edit`)}`;
  return new StripeWireError(403, {
    type: 'invalid_request_error',
    code: 'more_permissions_required',
    message: `Permission denied. ${keyOnAccount(key)} Enabling "${FORMAT_B_LABELS[permission]}" ('${shortScope}') permissions on this key would allow this request to continue. You can edit permissions at ${editUrl}`,
  });
}

/**
 * GET /v1/account with a restricted key: the Format A variant Stripe sent for this endpoint
 * (dj-stripe#1131), whatever wording is selected, unless the key was made account-readable.
 */
export function checkAccountAccess(key: KeyRecord): StripeWireError | null {
  if (key.type === 'secret' || key.accountReadable) return null;
  return new StripeWireError(403, {
    type: 'invalid_request_error',
    message: `${keyOnAccount(key)} This is a restricted API key, but the required permissions are not available for use by restricted keys.`,
  });
}
