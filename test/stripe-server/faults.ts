/**
 * Injected failures, for testing how callers cope with Stripe misbehaving. Faults apply before
 * authentication, so they hit any request on a matching path, whatever its key.
 */

import { docUrl, type WireReply } from './wire.js';

export type FaultKind = 'status500' | 'status429' | 'hang' | 'reset' | 'badJson';

export interface FaultSpec {
  kind: FaultKind;
  /** Only requests whose path starts with this, e.g. `/v1/customers`. Default: every path. */
  pathPrefix?: string;
  /** How many matching requests to affect. Default: all, until clearFaults(). */
  count?: number;
  /**
   * status429 only: a `Retry-After` header, in seconds. Stripe documents none on its 429s
   * (docs.stripe.com/rate-limits names only Stripe-Rate-Limited-Reason); this is for testing that a
   * client honours one when it comes (HTTP's own meaning, RFC 9110 §10.2.3).
   */
  retryAfterSeconds?: number;
}

/** A fault taken for one request. */
export type Fault = { kind: FaultKind; retryAfterSeconds?: number };

export class FaultQueue {
  private faults: Array<{ kind: FaultKind; pathPrefix: string; remaining: number; retryAfterSeconds?: number }> = [];

  add(spec: FaultSpec): void {
    if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) {
      throw new Error(`injectFault: count must be a positive integer, got ${spec.count}`);
    }
    this.faults.push({ kind: spec.kind, pathPrefix: spec.pathPrefix ?? '', remaining: spec.count ?? Infinity, retryAfterSeconds: spec.retryAfterSeconds });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault for this request, if any, counting it against its budget. Oldest fault first. */
  take(path: string): Fault | null {
    const fault = this.faults.find((f) => path.startsWith(f.pathPrefix));
    if (!fault) return null;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { kind: fault.kind, retryAfterSeconds: fault.retryAfterSeconds };
  }
}

const SERVER_ERROR_MESSAGE =
  "Sorry, something went wrong. We've already been notified of the problem, but if you need any help, you can reach us at https://support.stripe.com/contact.";

const RATE_LIMIT_MESSAGE = 'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.';

/** A body cut off mid-way: what a broken proxy or a dropped connection hands the SDK. */
const BAD_JSON_BODY = '{\n  "object": "list",\n  "data": [\n    {\n      "id": "cus_';

/** What Stripe sends for an injected fault that is answered (a hang and a reset are not). */
export function faultReply({ kind, retryAfterSeconds }: Fault): WireReply {
  switch (kind) {
    case 'hang':
    case 'reset':
      throw new Error(`a ${kind} is not answered`);
    case 'status500':
      return { status: 500, json: { error: { message: SERVER_ERROR_MESSAGE, type: 'api_error' } } };
    case 'status429':
      return {
        status: 429,
        json: { error: { code: 'rate_limit', doc_url: docUrl('rate_limit'), message: RATE_LIMIT_MESSAGE, type: 'invalid_request_error' } },
        headers: { 'stripe-rate-limited-reason': 'global-rate', ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }) },
      };
    case 'badJson':
      return { status: 200, rawBody: BAD_JSON_BODY };
  }
}
