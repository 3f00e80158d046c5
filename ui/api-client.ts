/**
 * The one client for Serval's REST API, used by the extension's background worker and by the
 * console. Every answer is checked against the shared zod schemas (shared/api.ts): an answer
 * outside the contract becomes an `unexpected_response` error naming the fields that were off,
 * never a cast that fails later in a component. Never throws, never logs.
 *
 * The two callers differ only in how they reach the backend: the worker sends a bearer token to
 * the Backend URL and bounds every request in time; the console calls its own origin with the
 * session's two halves: the HttpOnly cookie (sent by the browser) and the secret it keeps in its
 * own storage (sent here as X-Serval-Session).
 */
import './zod-without-eval';
import { z } from 'zod';
import {
  type AlertDelivery,
  AlertDeliveryListSchema,
  type AlertEndpoint,
  type AlertEndpointCreated,
  AlertEndpointCreatedSchema,
  AlertEndpointListSchema,
  type AlertEventType,
  type AlertKind,
} from '../shared/alerts.js';
import {
  AuditListSchema,
  DeviceListSchema,
  HealthSchema,
  InviteResponseSchema,
  MeSchema,
  PairingCodeResponseSchema,
  PairResponseSchema,
  PeopleListSchema,
  PersonResponseSchema,
  RoleSchema,
  SessionListSchema,
  SignInMethodsSchema,
  SignInResponseSchema,
  type Application,
  type AuditEvent,
  type Device,
  type Health,
  type IntegrationWithValidation,
  type KeySource,
  type Me,
  type PairResponse,
  type Person,
  type Role,
  type RotateResponse,
  type SessionInfo,
} from '../shared/api.js';
import {
  ApplicationAnswer,
  ApplicationListAnswerSchema,
  IntegrationWithValidationAnswerSchema,
  RotateAnswerSchema,
  StatusAnswerSchema,
  type StatusAnswer,
} from './api-answers';
import { clientError, type ServalError } from './errors';

/** An answer: the checked data, or the error with the HTTP status (null when none came back). */
export type ApiReply<T> = { ok: true; data: T } | { ok: false; error: ServalError; status: number | null };

export type ApiClientOptions = {
  /** The backend's origin (the extension's Backend URL), or '' for the page's own (the console). */
  baseUrl: string;
  fetch?: typeof fetch;
  /** The device token; the console's session cookie goes by itself. */
  token?: string | null;
  /** The console session's secret, read at each request (sent as X-Serval-Session); null: none. */
  sessionSecret?: () => string | null;
  credentials?: RequestCredentials;
  /**
   * How long to wait for an answer: `request` for most calls, `keyCheck` for those that wait on
   * the backend's round trip to Stripe. Without it, as long as the browser waits.
   */
  timeouts?: { request: number; keyCheck: number };
  /** Set when nothing may be sent to this backend: every call answers with this error instead. */
  refusal?: ServalError | null;
};

export type { StatusAnswer } from './api-answers';

/** The API's `{error:{code,message,hint?,details?}}`, or an `unexpected_response` when the body is not one. */
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

/**
 * A WebAuthn ceremony's options as the backend sends them (PublicKeyCredential…OptionsJSON),
 * checked as far as the browser library needs: the rest goes to it as it came.
 */
const PasskeySignInStartSchema = z.object({ flow: z.string(), options: z.looseObject({ challenge: z.string() }) });
const PasskeyRegistrationStartSchema = z.object({
  flow: z.string(),
  options: z.looseObject({
    challenge: z.string(),
    rp: z.looseObject({ name: z.string() }),
    user: z.looseObject({ id: z.string(), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.looseObject({ type: z.literal('public-key'), alg: z.number() })),
  }),
  person: z.object({ name: z.string(), role: RoleSchema }),
});
export type PasskeySignInStart = z.infer<typeof PasskeySignInStartSchema>;
export type PasskeyRegistrationStart = z.infer<typeof PasskeyRegistrationStartSchema>;
export type NewPerson = { name: string; email: string | null; role: Role };
export type PersonChange = { name?: string; role?: Role; disabled?: boolean };
/** What an application is meant for: its Stripe mode, and the account an organization key acts on (`acct_…`). */
export type ApplicationSettings = { environment?: 'test' | 'live' | null; stripeAccount?: string | null };
/** PATCH /api/applications/{id}: what is sent changes, what is left out stays. */
export type ApplicationChange = ApplicationSettings & { name?: string };
/** With a Send: the Expiration chosen in Stripe's Rotate dialog for the key it replaces (ISO time). */
export type SendOptions = { previousKeyExpiresAt?: string };

function unwrap<T, U>(reply: ApiReply<T>, pick: (data: T) => U): ApiReply<U> {
  return reply.ok ? { ok: true, data: pick(reply.data) } : reply;
}

type RequestInit = { body?: unknown; auth?: boolean; checksWithStripe?: boolean };

export function createApiClient(options: ApiClientOptions) {
  const fetchImpl = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  /** `schema` null: the answer is 204 No Content. */
  async function request<T>(method: string, path: string, schema: z.ZodType<T> | null, init: RequestInit = {}): Promise<ApiReply<T>> {
    if (options.refusal) return { ok: false, status: null, error: options.refusal };
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.auth !== false && options.token) headers.authorization = `Bearer ${options.token}`;
    const secret = options.sessionSecret?.();
    if (secret) headers['x-serval-session'] = secret;
    const timeoutMs = options.timeouts && (init.checksWithStripe ? options.timeouts.keyCheck : options.timeouts.request);

    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        ...(options.credentials ? { credentials: options.credentials } : {}),
        ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      });
    } catch (cause) {
      const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError';
      return {
        ok: false,
        status: null,
        error: clientError('backend_unreachable', timedOut ? { message: 'The Serval backend did not answer in time.' } : {}),
      };
    }

    if (response.status === 204 && schema === null) return { ok: true, data: null as T };
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ok: false, status: response.status, error: clientError('unexpected_response') };
    }
    if (!response.ok) return { ok: false, status: response.status, error: errorFromBody(body, response.status) };
    const parsed = (schema ?? z.null()).safeParse(body);
    if (!parsed.success) {
      const fields = parsed.error.issues.slice(0, 3).map((issue) => issue.path.join('.') || '(body)');
      return { ok: false, status: response.status, error: clientError('unexpected_response', { details: { method, path, fields } }) };
    }
    return { ok: true, data: parsed.data as T };
  }

  const applicationPath = (applicationId: string) => `/api/applications/${encodeURIComponent(applicationId)}`;

  return {
    baseUrl,
    health: (): Promise<ApiReply<Health>> => request('GET', '/api/health', HealthSchema, { auth: false }),
    pair: (code: string, deviceName: string): Promise<ApiReply<PairResponse>> =>
      request('POST', '/api/pair', PairResponseSchema, { body: { code, deviceName }, auth: false }),
    status: (): Promise<ApiReply<StatusAnswer>> => request('GET', '/api/status', StatusAnswerSchema),

    me: (): Promise<ApiReply<Me>> => request('GET', '/api/me', MeSchema),

    // Signing in to the console: each way ends in a SignInResponse (the cookie is set, the secret comes back once).
    signInMethods: () => request('GET', '/api/session/methods', SignInMethodsSchema, { auth: false }),
    signInWithCode: (code: string) => request('POST', '/api/session', SignInResponseSchema, { body: { code }, auth: false }),
    passkeySignInStart: (): Promise<ApiReply<PasskeySignInStart>> =>
      request('POST', '/api/session/passkey/options', PasskeySignInStartSchema, { body: {}, auth: false }),
    signInWithPasskey: (flow: string, response: unknown) =>
      request('POST', '/api/session/passkey', SignInResponseSchema, { body: { flow, response }, auth: false }),
    passkeyRegistrationStart: (invite: string): Promise<ApiReply<PasskeyRegistrationStart>> =>
      request('POST', '/api/session/passkey/registration', PasskeyRegistrationStartSchema, { body: { invite }, auth: false }),
    passkeyRegistrationFinish: (flow: string, response: unknown) =>
      request('POST', '/api/session/passkey/registration/verify', SignInResponseSchema, { body: { flow, response }, auth: false }),
    signOut: (): Promise<ApiReply<null>> => request('DELETE', '/api/session', null),

    listPeople: async (): Promise<ApiReply<Person[]>> => unwrap(await request('GET', '/api/people', PeopleListSchema), (r) => r.people),
    createPerson: async (person: NewPerson): Promise<ApiReply<Person>> =>
      unwrap(await request('POST', '/api/people', PersonResponseSchema, { body: person }), (r) => r.person),
    updatePerson: async (personId: string, change: PersonChange): Promise<ApiReply<Person>> =>
      unwrap(await request('PATCH', `/api/people/${encodeURIComponent(personId)}`, PersonResponseSchema, { body: change }), (r) => r.person),
    /** A single-use sign-in link (72 h) for the person: shown once, to be handed to them. */
    createInvite: (personId: string) => request('POST', `/api/people/${encodeURIComponent(personId)}/invites`, InviteResponseSchema),
    /** A pairing code for the caller, or (an admin) for someone else. */
    createPairingCode: (personId?: string) =>
      request('POST', '/api/pairing-codes', PairingCodeResponseSchema, { body: personId === undefined ? {} : { personId } }),
    listSessions: async (): Promise<ApiReply<SessionInfo[]>> => unwrap(await request('GET', '/api/sessions', SessionListSchema), (r) => r.sessions),
    revokeSession: (sessionId: string): Promise<ApiReply<null>> => request('DELETE', `/api/sessions/${encodeURIComponent(sessionId)}`, null),

    listApplications: async (): Promise<ApiReply<Application[]>> =>
      unwrap(await request('GET', '/api/applications', ApplicationListAnswerSchema), (r) => r.applications),
    getApplication: async (applicationId: string): Promise<ApiReply<Application>> =>
      unwrap(await request('GET', applicationPath(applicationId), ApplicationAnswer), (r) => r.application),
    createApplication: async (name: string, settings: ApplicationSettings = {}): Promise<ApiReply<Application>> =>
      unwrap(await request('POST', '/api/applications', ApplicationAnswer, { body: { name, ...settings } }), (r) => r.application),
    /** Changing the environment or the Stripe account needs an admin; renaming, a member. */
    updateApplication: async (applicationId: string, change: ApplicationChange): Promise<ApiReply<Application>> =>
      unwrap(await request('PATCH', applicationPath(applicationId), ApplicationAnswer, { body: change }), (r) => r.application),

    /** Checks the key with Stripe, then stores it. One of the two requests that carry a Stripe key. */
    putStripeKey: (applicationId: string, apiKey: string, source: KeySource, send: SendOptions = {}): Promise<ApiReply<IntegrationWithValidation>> =>
      request('PUT', `${applicationPath(applicationId)}/integrations/stripe`, IntegrationWithValidationAnswerSchema, {
        body: { apiKey, source, ...send },
        checksWithStripe: true,
      }),
    /** The other one: the same key for several applications, all or nothing. */
    rotateStripeKey: (applicationIds: string[], apiKey: string, source: KeySource, send: SendOptions = {}): Promise<ApiReply<RotateResponse>> =>
      request('POST', '/api/stripe/rotate', RotateAnswerSchema, { body: { apiKey, applicationIds, source, ...send }, checksWithStripe: true }),
    /** Re-checks the stored key now. */
    recheckIntegration: (applicationId: string): Promise<ApiReply<IntegrationWithValidation>> =>
      request('POST', `${applicationPath(applicationId)}/integrations/stripe/validate`, IntegrationWithValidationAnswerSchema, {
        checksWithStripe: true,
      }),
    removeIntegration: (applicationId: string): Promise<ApiReply<null>> => request('DELETE', `${applicationPath(applicationId)}/integrations/stripe`, null),

    listDevices: async (): Promise<ApiReply<Device[]>> => unwrap(await request('GET', '/api/devices', DeviceListSchema), (r) => r.devices),
    revokeDevice: (deviceId: string): Promise<ApiReply<null>> => request('DELETE', `/api/devices/${encodeURIComponent(deviceId)}`, null),
    audit: async (limit: number): Promise<ApiReply<AuditEvent[]>> =>
      unwrap(await request('GET', `/api/audit?limit=${limit}`, AuditListSchema), (r) => r.events),

    listAlertEndpoints: async (): Promise<ApiReply<AlertEndpoint[]>> =>
      unwrap(await request('GET', '/api/alert-endpoints', AlertEndpointListSchema), (r) => r.endpoints),
    createAlertEndpoint: (endpoint: { url: string; kind: AlertKind; events: AlertEventType[] }): Promise<ApiReply<AlertEndpointCreated>> =>
      request('POST', '/api/alert-endpoints', AlertEndpointCreatedSchema, { body: endpoint }),
    removeAlertEndpoint: (endpointId: string): Promise<ApiReply<null>> => request('DELETE', `/api/alert-endpoints/${encodeURIComponent(endpointId)}`, null),
    alertDeliveries: async (endpointId: string): Promise<ApiReply<AlertDelivery[]>> =>
      unwrap(await request('GET', `/api/alert-endpoints/${encodeURIComponent(endpointId)}/deliveries`, AlertDeliveryListSchema), (r) => r.deliveries),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
