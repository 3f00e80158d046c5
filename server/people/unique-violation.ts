/**
 * Did the database refuse a row because another holds the same unique value (an e-mail address,
 * Owner's id)? What a concurrent writer got in first looks like this on both dialects.
 */
const CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505']);

export function isUniqueViolation(error: unknown): boolean {
  // drizzle wraps the driver's error with the original as `cause`.
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CODES.has(code)) return true;
  }
  return false;
}
