/**
 * Injected failures, for testing how callers cope with Stripe misbehaving. Faults apply before
 * authentication, so they hit any request on a matching path, whatever its key.
 */

export type FaultKind = 'status500' | 'status429' | 'hang' | 'reset' | 'badJson';

export interface FaultSpec {
  kind: FaultKind;
  /** Only requests whose path starts with this, e.g. `/v1/customers`. Default: every path. */
  pathPrefix?: string;
  /** How many matching requests to affect. Default: all, until clearFaults(). */
  count?: number;
}

export class FaultQueue {
  private faults: Array<{ kind: FaultKind; pathPrefix: string; remaining: number }> = [];

  add(spec: FaultSpec): void {
    if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) {
      throw new Error(`injectFault: count must be a positive integer, got ${spec.count}`);
    }
    this.faults.push({ kind: spec.kind, pathPrefix: spec.pathPrefix ?? '', remaining: spec.count ?? Infinity });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault for this request, if any, counting it against its budget. Oldest fault first. */
  take(path: string): FaultKind | null {
    const fault = this.faults.find((f) => path.startsWith(f.pathPrefix));
    if (!fault) return null;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault.kind;
  }
}
