/**
 * The Serval REST API, as the background worker calls it (DESIGN.md §3). Answers are checked
 * against the shared zod schemas, so a backend that drifts from the contract shows up as
 * `unexpected_response` rather than as a blank popup. Never throws, never logs, and never sends
 * anything to a plain http:// URL off this computer.
 */
import { z } from 'zod';
import {
  ApplicationSchema,
  HealthSchema,
  IntegrationWithValidationSchema,
  PairResponseSchema,
  RotateResponseSchema,
  StatusSchema,
  type Application,
  type Health,
  type PairResponse,
} from '../../shared/api.js';
import { clientError, type ServalError } from '../../ui/errors';
import type { IntegrationResult, RotationResult } from '../messaging/protocol';
import { isSecureBackendUrl } from '../pairing/backend-url';

// The extension's CSP forbids eval: tell zod not to try its compiled fast path.
z.config({ jitless: true });

export type BackendReply<T> = { ok: true; data: T } | { ok: false; error: ServalError; status: number | null };

export type BackendClientOptions = {
  baseUrl: string;
  token?: string | null;
  fetch?: typeof fetch;
  /** Most calls are quick; sending a key waits for the backend's round trip to Stripe. */
  timeoutMs?: number;
};

export const DEFAULT_TIMEOUT_MS = 10_000;
export const KEY_CHECK_TIMEOUT_MS = 30_000;

/**
 * DESIGN.md's status answer has no version; the shared schema added one. Accept both, so the
 * popup works with either (it takes the version from /api/health).
 */
const StatusAnswerSchema = StatusSchema.extend({
  version: z.string().optional(),
  // Backends before key-age tracking don't count keys due for rotation: none, then.
  integrations: StatusSchema.shape.integrations.extend({ rotationDue: z.number().int().optional().transform((n) => n ?? 0) }),
});
export type StatusAnswer = z.infer<typeof StatusAnswerSchema>;

const ApplicationsSchema = z.object({ applications: z.array(ApplicationSchema) });
const ApplicationEnvelopeSchema = z.object({ application: ApplicationSchema });

function errorFromBody(body: unknown, status: number): ServalError {
  const error = (body as { error?: unknown } | null)?.error as Partial<ServalError> | undefined;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return {
      code: error.code,
      message: error.message,
      ...(typeof error.hint === 'string' ? { hint: error.hint } : {}),
      ...(error.details !== undefined ? { details: error.details } : {}),
    };
  }
  return clientError('unexpected_response', { message: `The Serval backend answered ${status} without an error description.` });
}

export function createBackendClient(options: BackendClientOptions) {
  const fetchImpl = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  // Pairing refuses such a URL already; this holds even for one that storage somehow holds: no
  // pairing code, token or Stripe key ever goes over plain http:// off this computer.
  const secure = isSecureBackendUrl(baseUrl);

  async function request<T>(
    method: string,
    path: string,
    schema: z.ZodType<T> | null,
    init: { body?: unknown; auth?: boolean; timeoutMs?: number } = {},
  ): Promise<BackendReply<T>> {
    if (!secure) return { ok: false, status: null, error: clientError('insecure_backend_url') };
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.auth !== false && options.token) headers.authorization = `Bearer ${options.token}`;

    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(init.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (cause) {
      const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError';
      return {
        ok: false,
        status: null,
        error: clientError('backend_unreachable', timedOut ? { message: 'The Serval backend did not answer in time.' } : {}),
      };
    }

    if (response.status === 204) return { ok: true, data: null as T };
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ok: false, status: response.status, error: clientError('unexpected_response') };
    }
    if (!response.ok) return { ok: false, status: response.status, error: errorFromBody(body, response.status) };
    if (schema === null) return { ok: true, data: body as T };
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const where = parsed.error.issues.slice(0, 3).map((issue) => issue.path.join('.') || '(body)');
      return { ok: false, status: response.status, error: clientError('unexpected_response', { details: { method, path, fields: where } }) };
    }
    return { ok: true, data: parsed.data };
  }

  const path = (applicationId: string) => `/api/applications/${encodeURIComponent(applicationId)}`;

  return {
    baseUrl,
    health: (): Promise<BackendReply<Health>> => request('GET', '/api/health', HealthSchema, { auth: false }),
    pair: (code: string, deviceName: string): Promise<BackendReply<PairResponse>> =>
      request('POST', '/api/pair', PairResponseSchema, { body: { code, deviceName }, auth: false }),
    status: (): Promise<BackendReply<StatusAnswer>> => request('GET', '/api/status', StatusAnswerSchema),
    listApplications: async (): Promise<BackendReply<Application[]>> => {
      const reply = await request('GET', '/api/applications', ApplicationsSchema);
      return reply.ok ? { ok: true, data: reply.data.applications } : reply;
    },
    createApplication: async (name: string): Promise<BackendReply<Application>> => {
      const reply = await request('POST', '/api/applications', ApplicationEnvelopeSchema, { body: { name } });
      return reply.ok ? { ok: true, data: reply.data.application } : reply;
    },
    /** One of the two requests that carry a Stripe key. */
    putStripeKey: (applicationId: string, apiKey: string): Promise<BackendReply<IntegrationResult>> =>
      request('PUT', `${path(applicationId)}/integrations/stripe`, IntegrationWithValidationSchema, {
        body: { apiKey, source: 'extension' },
        timeoutMs: KEY_CHECK_TIMEOUT_MS,
      }),
    /** The other one: the same key for several applications, all or nothing. */
    rotateStripeKey: (applicationIds: string[], apiKey: string): Promise<BackendReply<RotationResult>> =>
      request('POST', '/api/stripe/rotate', RotateResponseSchema, {
        body: { apiKey, applicationIds, source: 'extension' },
        timeoutMs: KEY_CHECK_TIMEOUT_MS,
      }),
    validateIntegration: (applicationId: string): Promise<BackendReply<IntegrationResult>> =>
      request('POST', `${path(applicationId)}/integrations/stripe/validate`, IntegrationWithValidationSchema, {
        timeoutMs: KEY_CHECK_TIMEOUT_MS,
      }),
    revokeDevice: (deviceId: string): Promise<BackendReply<null>> =>
      request('DELETE', `/api/devices/${encodeURIComponent(deviceId)}`, null),
  };
}

export type BackendClient = ReturnType<typeof createBackendClient>;
