/**
 * A fake fetch for the console's component tests: answers by "METHOD /api/path", records every
 * request (so a test can see what was sent, and where), and the fixtures it answers with.
 */
import type { Application, Integration, Validation } from '../../shared/api.js';
import { allPermissions, type PermissionId } from '../../shared/permissions.js';

export type Recorded = { method: string; url: string; body: unknown };
type Answer = { status: number; body?: unknown } | ((body: unknown) => { status: number; body?: unknown });

export function fakeFetch(routes: Record<string, Answer>) {
  const calls: Recorded[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, url, body });
    const route = routes[`${method} ${url}`];
    if (!route) return new Response(JSON.stringify({ error: { code: 'not_found', message: `No fake for ${method} ${url}` } }), { status: 404 });
    const answer = typeof route === 'function' ? route(body) : route;
    return answer.status === 204 ? new Response(null, { status: 204 }) : new Response(JSON.stringify(answer.body ?? {}), { status: answer.status });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

export const THIS_DEVICE = { id: 'dev_console', name: 'Console — Chrome on Linux' };

export function integration(overrides: Partial<Integration> = {}): Integration {
  const missing: PermissionId[] = overrides.missingPermissions ?? [];
  const permissions = allPermissions(true);
  for (const id of missing) permissions[id] = false;
  return {
    applicationId: 'app_1',
    provider: 'stripe',
    keyType: 'restricted',
    mode: 'test',
    maskedKey: 'rk_test_…Ab12',
    accountId: 'acct_1Serval',
    status: missing.length ? 'missing_permissions' : 'connected',
    permissions,
    missingPermissions: missing,
    source: 'manual',
    connectedAt: '2026-11-28T09:00:00.000Z',
    lastValidatedAt: '2026-11-28T09:00:00.000Z',
    lastError: null,
    rotationDueAt: null,
    rotationDue: false,
    ...overrides,
  };
}

export function validation(of: Integration, overrides: Partial<Validation> = {}): Validation {
  return {
    valid: true,
    keyType: of.keyType,
    mode: of.mode,
    accountId: of.accountId,
    permissions: of.permissions,
    missingPermissions: of.missingPermissions,
    warnings: [],
    checkedAt: '2026-11-28T09:00:00.000Z',
    ...overrides,
  };
}

export function application(overrides: Partial<Application> = {}): Application {
  return { id: 'app_1', name: 'Billing', createdAt: '2026-11-28T08:00:00.000Z', environment: null, stripe: null, ...overrides };
}
