/** An error the API answers with, from the shared catalogue. Thrown anywhere; app.onError renders it. */
import { ERRORS, errorBody, type ErrorCode } from '../shared/errors.js';
import type { Refusal } from './stripe/verdict.js';

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly overrides: { message?: string; hint?: string; details?: unknown } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(overrides.message ?? ERRORS[code].message);
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  body() {
    return errorBody(this.code, this.overrides);
  }
}

/** Stripe's refusal of a key, as the API answers it (with Retry-After when Stripe rate-limits). */
export function refusalError(refusal: Refusal): ApiError {
  const headers: Record<string, string> = refusal.retryAfterSeconds ? { 'Retry-After': String(refusal.retryAfterSeconds) } : {};
  return new ApiError(refusal.code, refusal.message ? { message: refusal.message } : {}, headers);
}
