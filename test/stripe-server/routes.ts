/**
 * The endpoints Serval uses. Each route names the permission a restricted key needs, so the
 * pipeline can refuse it (403) before the handler validates anything (400/404): Stripe's order.
 */
import type Stripe from 'stripe';
import type { KeyRecord, StripePermission } from './keys.js';
import { newBalance, newCustomer } from './objects.js';
import { LIST_PARAMS, readListParams, readString, rejectUnknown, type Params } from './params.js';
import { nowSeconds, paginate, type AccountData, type Collection } from './store.js';
import { StripeWireError, codedError, noSuchObject } from './wire.js';

export interface RequestContext {
  path: string;
  params: Params;
  key: KeyRecord;
  data: AccountData;
}

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** What a restricted key needs; `account` is GET /v1/account's special rule. */
  access: StripePermission | 'account';
  /** Returns the 200 body, or throws a StripeWireError. */
  handle(ctx: RequestContext, pathParams: string[]): unknown;
}

export function findRoute(method: string, path: string): { route: Route; pathParams: string[] } | null {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, pathParams: match.slice(1).map(decodeURIComponent) };
  }
  return null;
}

/** Objects are stored in test mode; the caller's key decides what `livemode` says. */
function inKeyMode<T extends { livemode: boolean }>(object: T, key: KeyRecord): T {
  return { ...object, livemode: key.mode === 'live' };
}

function listResponse<T extends { id: string; created: number }>(
  ctx: RequestContext,
  collection: Collection<T>,
  objectName: string,
  extraParams: readonly string[],
  matches: (item: T) => boolean,
  present: (item: T) => T,
): Stripe.ApiList<T> {
  rejectUnknown(ctx.params, [...LIST_PARAMS, ...extraParams]);
  const list = readListParams(ctx.params);
  const page = paginate(collection, {
    limit: list.limit,
    startingAfter: list.startingAfter,
    endingBefore: list.endingBefore,
    filter: (item) => list.created(item.created) && matches(item),
  });
  // UNCONFIRMED whether Stripe answers an unknown cursor with 400 or 404; the SDK maps both alike.
  if (!page.found) throw noSuchObject(objectName, page.cursor, page.cursorParam, 400);
  return { object: 'list', data: page.data.map(present), has_more: page.hasMore, url: ctx.path };
}

const CUSTOMER_FIELDS = ['name', 'email', 'description', 'phone', 'metadata'] as const;

/** Stripe accepts an empty string to clear these fields. */
function optionalText(params: Params, name: (typeof CUSTOMER_FIELDS)[number]): string | null | undefined {
  const value = readString(params, name);
  return value === '' ? null : value;
}

function readEmail(params: Params): string | null | undefined {
  const email = optionalText(params, 'email');
  if (email && !/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw codedError(400, 'email_invalid', `Invalid email address: ${email}`, 'email');
  }
  return email;
}

/** `metadata[k]=v` sets k, `metadata[k]=` removes it, `metadata=` clears everything. */
function mergeMetadata(current: Stripe.Metadata, params: Params): Stripe.Metadata {
  const update = params.metadata;
  if (update === undefined) return current;
  if (update === '') return {};
  if (typeof update === 'string' || Array.isArray(update)) {
    throw new StripeWireError(400, { type: 'invalid_request_error', message: 'Invalid hash', param: 'metadata' });
  }
  const merged = { ...current };
  for (const [name, value] of Object.entries(update)) {
    if (value === '') delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

function requireCustomer(data: AccountData, id: string): Stripe.Customer {
  const customer = data.customers.get(id);
  if (!customer) throw noSuchObject('customer', id);
  return customer;
}

const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: /^\/v1\/account$/,
    access: 'account',
    handle: (ctx) => {
      rejectUnknown(ctx.params, []);
      return ctx.data.account;
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/balance$/,
    access: 'balance_read',
    handle: (ctx) => {
      rejectUnknown(ctx.params, []);
      return newBalance(ctx.data.balanceTransactions.all(), ctx.key.mode === 'live');
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/charges$/,
    access: 'charges_read',
    handle: (ctx) => {
      const customer = readString(ctx.params, 'customer');
      return listResponse(
        ctx,
        ctx.data.charges,
        'charge',
        ['customer'],
        (charge) => customer === undefined || charge.customer === customer,
        (charge) => inKeyMode(charge, ctx.key),
      );
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/customers$/,
    access: 'customers_read',
    handle: (ctx) => {
      // Stripe documents this filter as case-sensitive.
      const email = readString(ctx.params, 'email');
      return listResponse(
        ctx,
        ctx.data.customers,
        'customer',
        ['email'],
        (customer) => email === undefined || customer.email === email,
        (customer) => inKeyMode(customer, ctx.key),
      );
    },
  },
  {
    method: 'POST',
    pattern: /^\/v1\/customers$/,
    access: 'customers_write',
    handle: (ctx) => {
      rejectUnknown(ctx.params, CUSTOMER_FIELDS);
      const customer = newCustomer({
        created: nowSeconds(),
        name: optionalText(ctx.params, 'name'),
        email: readEmail(ctx.params),
        description: optionalText(ctx.params, 'description'),
        phone: optionalText(ctx.params, 'phone'),
        metadata: mergeMetadata({}, ctx.params),
      });
      ctx.data.customers.insert(customer);
      return inKeyMode(customer, ctx.key);
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/customers\/([^/]+)$/,
    access: 'customers_read',
    handle: (ctx, [id]) => {
      const customer = requireCustomer(ctx.data, id!);
      rejectUnknown(ctx.params, []);
      return inKeyMode(customer, ctx.key);
    },
  },
  {
    // Serval's Customers: Write probe hits this with an id that cannot exist: it must 404 and
    // never create anything.
    method: 'POST',
    pattern: /^\/v1\/customers\/([^/]+)$/,
    access: 'customers_write',
    handle: (ctx, [id]) => {
      const customer = requireCustomer(ctx.data, id!);
      rejectUnknown(ctx.params, CUSTOMER_FIELDS);
      // Validate everything before changing anything, so a 400 leaves the customer untouched.
      const changes = {
        name: optionalText(ctx.params, 'name'),
        email: readEmail(ctx.params),
        description: optionalText(ctx.params, 'description'),
        phone: optionalText(ctx.params, 'phone'),
        metadata: mergeMetadata(customer.metadata, ctx.params),
      };
      if (changes.name !== undefined) customer.name = changes.name;
      if (changes.email !== undefined) customer.email = changes.email;
      if (changes.description !== undefined) customer.description = changes.description;
      if (changes.phone !== undefined) customer.phone = changes.phone;
      customer.metadata = changes.metadata;
      return inKeyMode(customer, ctx.key);
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/balance_transactions$/,
    access: 'balance_transactions_read',
    handle: (ctx) => {
      const type = readString(ctx.params, 'type');
      const currency = readString(ctx.params, 'currency');
      return listResponse(
        ctx,
        ctx.data.balanceTransactions,
        'balance transaction',
        ['type', 'currency'],
        (txn) => (type === undefined || txn.type === type) && (currency === undefined || txn.currency === currency),
        (txn) => txn, // balance transactions have no livemode field
      );
    },
  },
];
