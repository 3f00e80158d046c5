/**
 * What api.stripe.com looks like on the wire, independent of any endpoint: JSON layout, key
 * masking, ids, error bodies and response headers, as Stripe sends them.
 */
import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random `[A-Za-z0-9]{length}`. The slight modulo bias is irrelevant for a test server. */
export function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[bytes[i]! % ALNUM.length];
  return out;
}

/** `req_` + 14 alphanumerics, like `req_znNmcJIx4bS6OH`. */
export function newRequestId(): string {
  return `req_${randomAlnum(14)}`;
}

/**
 * Stripe's JSON layout: 2-space indent and a trailing newline. Keys are alphabetical, except that
 * `id` and `object` come first, as in Stripe's resource bodies; error bodies have neither, so
 * they are fully alphabetical (which is what the byte-exact 401 evidence shows).
 */
export function stripeJson(value: unknown): string {
  return `${JSON.stringify(orderKeys(value), null, 2)}\n`;
}

const LEADING_KEYS = ['id', 'object'];

function orderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(orderKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, orderKeys(v)]));
}

function rank(key: string): number {
  const index = LEADING_KEYS.indexOf(key);
  return index === -1 ? LEADING_KEYS.length : index;
}

/**
 * "Invalid API Key provided": first 8 + `*`×(len−12) + last 4, length preserved.
 * Short strings (`undefined` → `*****ined`) keep only the last 4; where Stripe switches between
 * the two rules is UNCONFIRMED, 16 is our guess.
 */
export function maskInvalidKey(key: string): string {
  if (key.length < 16) return '*'.repeat(Math.max(0, key.length - 4)) + key.slice(-4);
  return key.slice(0, 8) + '*'.repeat(key.length - 12) + key.slice(-4);
}

/** Expired-key and permission messages: first 8 + `*`×(len−14) + last 6. */
export function maskKeyLast6(key: string): string {
  if (key.length < 16) return '*'.repeat(Math.max(0, key.length - 6)) + key.slice(-6);
  return key.slice(0, 8) + '*'.repeat(key.length - 14) + key.slice(-6);
}

export interface StripeErrorFields {
  type: 'invalid_request_error' | 'api_error' | 'idempotency_error';
  message: string;
  code?: string;
  doc_url?: string;
  param?: string;
}

/** A response the pipeline writes out as is. */
export interface WireReply {
  status: number;
  /** Serialised with stripeJson unless rawBody is given. */
  json?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Invalid-key 401s carry no Request-Id, Stripe-Version or Idempotency-Key. */
  anonymous?: boolean;
}

/** Thrown by handlers; the pipeline turns it into the error body. */
export class StripeWireError extends Error {
  constructor(
    readonly status: number,
    readonly fields: StripeErrorFields,
    readonly headers: Record<string, string> = {},
  ) {
    super(fields.message);
  }

  toReply(): WireReply {
    return { status: this.status, json: { error: this.fields }, headers: this.headers };
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;
}

/** 400/404 with `code` and the matching `doc_url`, the shape of every coded Stripe error. */
export function codedError(status: number, code: string, message: string, param?: string): StripeWireError {
  return new StripeWireError(status, { type: 'invalid_request_error', code, doc_url: docUrl(code), message, param });
}

/** 404 for an object that does not exist: `No such customer: 'cus_x'`. */
export function noSuchObject(objectName: string, id: string, param = 'id', status = 404): StripeWireError {
  return codedError(status, 'resource_missing', `No such ${objectName}: '${id}'`, param);
}

export function unrecognizedUrl(method: string, path: string): StripeWireError {
  return new StripeWireError(404, {
    type: 'invalid_request_error',
    message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  });
}

/** Headers api.stripe.com sends on every response, including the invalid-key 401 (2026 log). */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  'cache-control': 'no-cache, no-store',
  'access-control-allow-origin': '*',
  'access-control-allow-credentials': 'true',
  'access-control-allow-methods': 'GET, HEAD, PUT, PATCH, POST, DELETE',
  'access-control-expose-headers':
    'Request-Id, Stripe-Manage-Version, Stripe-Should-Retry, X-Stripe-External-Auth-Required, X-Stripe-Privileged-Session-Required',
  'access-control-max-age': '300',
  'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
  server: 'nginx',
};

/**
 * Echoed when the request sends none. The SDK always sends its pinned version, so this only
 * shows up for raw requests; it is the version stripe-node 23 pins.
 */
export const DEFAULT_STRIPE_VERSION = '2026-10-28.endive';
