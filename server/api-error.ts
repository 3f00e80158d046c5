/** An error the API answers with, from the shared catalogue. Thrown anywhere; app.onError renders it. */
import { ERRORS, errorBody, type ErrorCode } from '../shared/errors.js';

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
