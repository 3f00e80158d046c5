/**
 * Is this error "the database can't be reached" (answer 503 and carry on) rather than a bug?
 * Decided by error codes: socket errors, PostgreSQL's connection-exception and shutdown SQLSTATEs.
 * node-postgres gives a few failures of its own no code (a connection closed under a query, the
 * pool's connect timeout); those are known by the fixed messages it throws them with.
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections. */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

export function isDatabaseUnavailable(error: unknown): boolean {
  // drizzle wraps the driver's error ("Failed query: …") with the original as `cause`.
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08'))) return true;
    // node-postgres gives these no code: the connection closed under a query, or no connection in time.
    const message = (e as { message?: unknown }).message;
    if (e instanceof Error && typeof message === 'string' && PG_CONNECTION_MESSAGES.some((m) => message.startsWith(m))) return true;
  }
  return false;
}

const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/**
 * Did the database refuse the data itself (PostgreSQL's class 22, "data exception": a NUL byte in
 * text, a value out of range)? That is bad input that got past validation: a 400, not a 500.
 */
export function isDataRefused(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}

/**
 * What went wrong, for a log line or a message: drizzle's errors start with the whole query and
 * its parameters (sealed keys, token hashes); the driver's own error underneath says what matters.
 */
export function describeCause(error: unknown): string {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
