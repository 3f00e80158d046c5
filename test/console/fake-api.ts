/**
 * A fake fetch for the console's component tests: answers by "METHOD /api/path", records every
 * request (so a test can see what was sent, and where), and the fixtures it answers with.
 */
import type { Application, Integration, Person, Role, SessionInfo, Validation } from '../../shared/api.js';
import { allPermissions, type PermissionId } from '../../shared/permissions.js';

export type Recorded = { method: string; url: string; body: unknown; headers: Record<string, string> };
export type Answer = { status: number; body?: unknown } | ((body: unknown) => { status: number; body?: unknown });

export function fakeFetch(routes: Record<string, Answer>) {
  const calls: Recorded[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, url, body, headers: { ...(init?.headers as Record<string, string>) } });
    const route = routes[`${method} ${url}`];
    if (!route) return new Response(JSON.stringify({ error: { code: 'not_found', message: `No fake for ${method} ${url}` } }), { status: 404 });
    const answer = typeof route === 'function' ? route(body) : route;
    return answer.status === 204 ? new Response(null, { status: 204 }) : new Response(JSON.stringify(answer.body ?? {}), { status: answer.status });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

export const THIS_DEVICE = { id: 'dev_console', name: 'Chrome on Linux', person: { id: 'per_ada', name: 'Ada Lovelace' } };

export function person(overrides: Partial<Person> = {}): Person {
  return {
    id: 'per_ada',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    role: 'admin',
    createdAt: '2026-11-28T08:00:00.000Z',
    disabledAt: null,
    ...overrides,
  };
}

/** The answers of a console signed in as `role` (GET /api/me), with the secret kept as a sign-in would have. */
export function signedInAs(role: Role, overrides: Partial<Person> = {}): Record<string, Answer> {
  localStorage.setItem('serval.session', 'sss_test_secret');
  return { 'GET /api/me': { status: 200, body: { person: person({ role, ...overrides }), via: 'session' } } };
}

/** A successful sign-in's 201 body. */
export function signInResponse(who: Person = person(), secret = 'sss_new_secret') {
  return { person: who, session: { id: 'ses_new', expiresAt: '2026-11-28T20:00:00.000Z' }, secret };
}

export function session(overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    id: 'ses_1',
    person: { id: 'per_ada', name: 'Ada Lovelace' },
    method: 'passkey',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
    createdAt: '2026-11-28T09:00:00.000Z',
    lastSeenAt: '2026-11-28T09:30:00.000Z',
    expiresAt: '2026-11-28T21:00:00.000Z',
    current: false,
    ...overrides,
  };
}

export const UNAUTHORIZED = { status: 401, body: { error: { code: 'unauthorized', message: 'Not signed in.' } } };

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
    accountName: null,
    status: missing.length ? 'missing_permissions' : 'connected',
    permissions,
    missingPermissions: missing,
    source: 'manual',
    connectedAt: '2026-11-28T09:00:00.000Z',
    lastValidatedAt: '2026-11-28T09:00:00.000Z',
    lastError: null,
    rotationDueAt: null,
    rotationDue: false,
    keyExpiresAt: null,
    ...overrides,
  };
}

export function validation(of: Integration, overrides: Partial<Validation> = {}): Validation {
  return {
    valid: true,
    keyType: of.keyType,
    mode: of.mode,
    accountId: of.accountId,
    accountName: of.accountName,
    permissions: of.permissions,
    missingPermissions: of.missingPermissions,
    warnings: [],
    checkedAt: '2026-11-28T09:00:00.000Z',
    ...overrides,
  };
}

export function application(overrides: Partial<Application> = {}): Application {
  return { id: 'app_1', name: 'Billing', createdAt: '2026-11-28T08:00:00.000Z', environment: null, stripeAccount: null, stripe: null, ...overrides };
}
