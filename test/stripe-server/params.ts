/**
 * Stripe's request parameters: form encoding (`metadata[k]=v`, `expand[]=x`) in query strings
 * and POST bodies, and the 400s Stripe sends for parameters it does not like.
 */
import { StripeWireError, codedError } from './wire.js';

export type ParamValue = string | string[] | Record<string, string>;
export type Params = Record<string, ParamValue>;

/** `a=1&metadata[k]=v&expand[]=x&expand[0]=y` → `{a:'1', metadata:{k:'v'}, expand:['x','y']}`. */
export function parseForm(text: string): Params {
  const params: Params = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const nested = /^([^[]+)\[([^\]]*)\](.*)$/.exec(name);
    if (!nested) {
      params[name] = value;
      continue;
    }
    const root = nested[1]!;
    const sub = nested[2]!;
    const existing = params[root];
    if (sub === '' || /^\d+$/.test(sub)) {
      params[root] = Array.isArray(existing) ? [...existing, value] : [value];
    } else {
      const object = existing !== undefined && typeof existing === 'object' && !Array.isArray(existing) ? existing : {};
      object[sub] = value;
      params[root] = object;
    }
  }
  return params;
}

/** `expand` is accepted everywhere (and ignored: we never expand). */
const ALWAYS_ALLOWED = ['expand'];

export function rejectUnknown(params: Params, allowed: readonly string[]): void {
  for (const name of Object.keys(params)) {
    if (!allowed.includes(name) && !ALWAYS_ALLOWED.includes(name)) {
      throw codedError(400, 'parameter_unknown', `Received unknown parameter: ${name}`, name);
    }
  }
}

export function readString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new StripeWireError(400, { type: 'invalid_request_error', message: `Invalid string: ${JSON.stringify(value)}`, param: name });
}

function readInteger(raw: string, param: string): number {
  if (!/^-?\d+$/.test(raw)) throw codedError(400, 'parameter_invalid_integer', `Invalid integer: ${raw}`, param);
  return Number(raw);
}

export interface ListParams {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  created: (created: number) => boolean;
}

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'created'] as const;

export function readListParams(params: Params): ListParams {
  const rawLimit = readString(params, 'limit');
  let limit = 10;
  if (rawLimit !== undefined) {
    limit = readInteger(rawLimit, 'limit');
    if (limit < 1) throw codedError(400, 'parameter_invalid_integer', 'This value must be greater than or equal to 1.', 'limit');
    if (limit > 100) throw codedError(400, 'parameter_invalid_integer', 'This value must be less than or equal to 100.', 'limit');
  }
  const startingAfter = readString(params, 'starting_after');
  const endingBefore = readString(params, 'ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw new StripeWireError(400, {
      type: 'invalid_request_error',
      message: 'You may only specify one of these parameters: ending_before, starting_after.',
    });
  }
  return { limit, startingAfter, endingBefore, created: readCreatedFilter(params) };
}

/** `created=<ts>` or `created[gt|gte|lt|lte]=<ts>`. */
function readCreatedFilter(params: Params): (created: number) => boolean {
  const value = params.created;
  if (value === undefined) return () => true;
  if (typeof value === 'string') {
    const exact = readInteger(value, 'created');
    return (created) => created === exact;
  }
  if (Array.isArray(value)) throw codedError(400, 'parameter_unknown', 'Received unknown parameter: created[]', 'created');
  const bounds: Array<(created: number) => boolean> = [];
  for (const [op, raw] of Object.entries(value)) {
    const bound = readInteger(raw, `created[${op}]`);
    if (op === 'gt') bounds.push((c) => c > bound);
    else if (op === 'gte') bounds.push((c) => c >= bound);
    else if (op === 'lt') bounds.push((c) => c < bound);
    else if (op === 'lte') bounds.push((c) => c <= bound);
    else throw codedError(400, 'parameter_unknown', `Received unknown parameter: created[${op}]`, `created[${op}]`);
  }
  return (created) => bounds.every((inBounds) => inBounds(created));
}
