/** Small builders that keep route definitions short: the definitions are the OpenAPI document. */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import { ErrorResponseSchema } from '../../shared/api.js';
import { ERRORS, errorBody, type ErrorCode } from '../../shared/errors.js';
import type { ProxyTrust } from '../auth/client-address.js';
import type { Principal } from '../auth/principal.js';

/**
 * What every route gets: who is asking (the authenticate middleware sets it for every route but
 * the public ones), and which proxies are trusted (auth/client-address.ts).
 */
export type AppEnv = { Variables: { principal: Principal; proxyTrust: ProxyTrust | null } };

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const details = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        return c.json(errorBody('validation_failed', { message: describeIssues(details), details }), 400);
      }
    },
  });
}

function describeIssues(details: Array<{ path: string; message: string }>): string {
  const first = details[0];
  if (!first) return 'The request is not valid.';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return `${first.path ? `${first.path}: ` : ''}${first.message}${more}`;
}

export function jsonBody<T extends ZodType>(schema: T, description?: string) {
  return { body: { content: { 'application/json': { schema } }, required: true, ...(description ? { description } : {}) } };
}

export function json<T extends ZodType>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description };
}

/**
 * The documented error answers of a route, from the shared catalogue. Every route that uses this
 * reads the database (authentication does), so each may also answer 503 database_unavailable.
 */
export function errors(...listed: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  const codes = [...new Set<ErrorCode>([...listed, 'database_unavailable'])];
  for (const code of codes) byStatus.set(ERRORS[code].status, [...(byStatus.get(ERRORS[code].status) ?? []), code]);
  return Object.fromEntries([...byStatus].map(([status, list]) => [status, json(ErrorResponseSchema, `Error: ${list.join(', ')}`)])) as Record<
    number,
    ReturnType<typeof json<typeof ErrorResponseSchema>>
  >;
}

/** A device token, or a console session: its cookie and its header together. */
export const authenticated: Array<Record<string, string[]>> = [{ bearer: [] }, { sessionCookie: [], sessionHeader: [] }];

export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'An id holds only letters, digits, _ and -')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'app_3k2j4h5g6f7d8s9a' }),
});
