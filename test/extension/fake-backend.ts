/**
 * A stand-in for the Serval backend at the background worker's edge: a `fetch` that answers the
 * Serval REST API (the contract in shared/api.ts) from memory, and records every request (so tests can see exactly what
 * left the extension, and where the key went).
 */
import type { Application, Integration, Validation } from '../../shared/api.js';
import { ERRORS, errorBody, type ErrorCode } from '../../shared/errors.js';
import { maskKey, parseKey, type ParsedKey } from '../../shared/keys.js';
import { allPermissions, missingPermissions, type Permissions } from '../../shared/permissions.js';
import { allows, forbiddenMessage, permissionForKey, type Permission, type Role } from '../../shared/roles.js';
import { integration as makeIntegration, validation as makeValidation } from './fixtures';

export type RecordedRequest = { method: string; url: string; headers: Record<string, string>; body: unknown };

export type FakeBackendOptions = {
  pairingCode?: string;
  token?: string;
  applications?: Application[];
  /** Permissions Stripe grants to sent keys (default: all five). */
  permissions?: Permissions;
  /** Make the next requests fail this way. */
  failWith?: { status: number; code: ErrorCode } | 'network' | null;
  version?: string;
  /** Whose device the token is (default: Owner, an admin); the role table is enforced as the backend does. */
  person?: { id: string; name: string; role: Role };
};

export function createFakeBackend(options: FakeBackendOptions = {}) {
  const state = {
    pairingCode: options.pairingCode ?? 'ABCD-EFGH',
    token: options.token ?? 'svl_test_token_0123456789',
    applications: structuredClone(options.applications ?? []),
    permissions: options.permissions ?? allPermissions(true),
    failWith: options.failWith ?? null,
    revoked: false,
    requests: [] as RecordedRequest[],
    nextId: 100,
    person: options.person ?? { id: 'per_owner', name: 'Owner', role: 'admin' as Role },
  };

  const json = (status: number, body: unknown) =>
    new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const error = (code: ErrorCode) => json(ERRORS[code].status, errorBody(code));
  /** The backend's 403 when the person's role does not allow it; null when it does. */
  const refused = (permission: Permission) =>
    allows(state.person.role, permission) ? null : json(403, errorBody('forbidden', { message: forbiddenMessage(permission) }));

  /** The check's verdict on an accepted key: Stripe grants it `state.permissions`. */
  const validationOf = (parsed: ParsedKey, warnings: Validation['warnings'] = []) =>
    makeValidation({
      keyType: parsed.keyType,
      // An organization key's mode is Stripe's answer: this fake's Stripe answers as a sandbox does.
      mode: parsed.mode ?? 'test',
      permissions: state.permissions,
      missingPermissions: missingPermissions(state.permissions),
      warnings,
    });

  /** Stores an accepted key on the application, masked, as the PUT and the rotate routes both do. */
  function connect(application: Application, parsed: ParsedKey, fields: Partial<Integration> = {}): Integration {
    const missing = missingPermissions(state.permissions);
    application.stripe = makeIntegration({
      applicationId: application.id,
      keyType: parsed.keyType,
      mode: parsed.mode ?? 'test',
      maskedKey: maskKey(parsed.key),
      status: missing.length > 0 ? 'missing_permissions' : 'connected',
      permissions: state.permissions,
      missingPermissions: missing,
      ...fields,
    });
    return application.stripe;
  }

  async function fetchImpl(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    state.requests.push({ method, url: url.href, headers, body });

    if (state.failWith === 'network') throw new TypeError('Failed to fetch');
    if (state.failWith) return error(state.failWith.code);

    const path = url.pathname;
    if (method === 'GET' && path === '/api/health') return json(200, { status: 'ok', version: options.version ?? '0.1.0' });
    if (method === 'POST' && path === '/api/pair') {
      const code = String(body?.code ?? '')
        .toUpperCase()
        .replace('-', '');
      if (code !== state.pairingCode.replace('-', '')) return error('pairing_code_invalid');
      state.revoked = false;
      return json(201, { token: state.token, device: { id: 'dev_1', name: body.deviceName } });
    }
    if (headers.authorization !== `Bearer ${state.token}` || state.revoked) return error('unauthorized');

    if (method === 'GET' && path === '/api/status') {
      const integrations = state.applications.map((a) => a.stripe).filter((i): i is Integration => i !== null);
      return json(200, {
        device: { id: 'dev_1', name: 'Chrome on Linux' },
        person: state.person,
        applications: state.applications.length,
        integrations: {
          connected: integrations.filter((i) => i.status === 'connected').length,
          needsAttention: integrations.filter((i) => i.status !== 'connected').length,
          rotationDue: integrations.filter((i) => i.rotationDue).length,
          expiringSoon: integrations.filter((i) => i.keyExpiresAt !== null && Date.parse(i.keyExpiresAt) < Date.now() + 24 * 3600_000).length,
        },
        version: options.version ?? '0.1.0',
      });
    }
    if (method === 'DELETE' && path.startsWith('/api/devices/')) {
      state.revoked = true;
      return json(204, null);
    }
    if (method === 'GET' && path === '/api/applications') return json(200, { applications: state.applications });
    if (method === 'POST' && path === '/api/applications') {
      const refusal = refused('write_test');
      if (refusal) return refusal;
      const application: Application = {
        id: `app_${state.nextId++}`,
        name: body.name,
        createdAt: new Date().toISOString(),
        environment: null,
        stripeAccount: typeof body.stripeAccount === 'string' ? body.stripeAccount : null,
        stripe: null,
      };
      state.applications.push(application);
      return json(201, { application });
    }
    const applicationPath = /^\/api\/applications\/([^/]+)$/.exec(path);
    if (method === 'PATCH' && applicationPath) {
      const application = state.applications.find((a) => a.id === decodeURIComponent(applicationPath[1]));
      if (!application) return error('application_not_found');
      // As the backend: changing where an organization key's calls go is an admin's change.
      const refusal = refused(body?.stripeAccount !== undefined && body.stripeAccount !== application.stripeAccount ? 'destroy' : 'write_test');
      if (refusal) return refusal;
      if (typeof body?.stripeAccount === 'string') application.stripeAccount = body.stripeAccount;
      return json(200, { application });
    }
    if (method === 'POST' && path === '/api/stripe/rotate') {
      // All or nothing, as the backend: an unknown application or a refused key changes nothing.
      const ids: unknown = body?.applicationIds;
      if (!Array.isArray(ids) || ids.length === 0) return error('validation_failed');
      const targets = ids.map((id) => state.applications.find((a) => a.id === id));
      if (targets.some((a) => a === undefined)) return error('application_not_found');
      const parsed = parseKey(String(body?.apiKey ?? ''));
      if (!parsed.ok) return error(parsed.code);
      const refusal = refused(permissionForKey(parsed.mode ?? 'test'));
      if (refusal) return refusal;
      const replacements = (targets as Application[]).map((a) => ({ applicationId: a.id, previousMaskedKey: a.stripe?.maskedKey ?? null, warnings: [] }));
      const integrations = (targets as Application[]).map((application) => connect(application, parsed, { source: body?.source ?? 'api' }));
      return json(200, { validation: validationOf(parsed), integrations, replacements });
    }
    const stripePath = /^\/api\/applications\/([^/]+)\/integrations\/stripe(\/validate)?$/.exec(path);
    if (stripePath) {
      const application = state.applications.find((a) => a.id === decodeURIComponent(stripePath[1]));
      if (!application) return error('application_not_found');
      if (method === 'PUT' && !stripePath[2]) {
        const parsed = parseKey(String(body?.apiKey ?? ''));
        if (!parsed.ok) return error(parsed.code);
        const refusal = refused(permissionForKey(parsed.mode ?? 'test'));
        if (refusal) return refusal;
        const integration = connect(application, parsed);
        const warnings = [
          ...(parsed.keyType === 'secret' ? [{ code: 'secret_key_full_access', message: 'A secret key has full access: prefer a restricted key.' }] : []),
          ...(parsed.mode === 'live' ? [{ code: 'live_mode', message: 'This is a live key: it processes real payments.' }] : []),
        ];
        return json(200, { integration, validation: validationOf(parsed, warnings) });
      }
      if (method === 'POST' && stripePath[2]) {
        if (!application.stripe) return error('integration_not_found');
        const refusal = refused('write_test');
        if (refusal) return refusal;
        application.stripe = { ...application.stripe, lastValidatedAt: '2026-02-02T12:00:00.000Z' };
        return json(200, { integration: application.stripe, validation: makeValidation({ checkedAt: '2026-02-02T12:00:00.000Z' }) });
      }
    }
    return error('not_found');
  }

  return { state, fetch: fetchImpl as typeof fetch };
}
