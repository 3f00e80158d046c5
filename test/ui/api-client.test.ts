/**
 * The one REST client (ui/api-client.ts): every answer is checked against the shared schemas,
 * so an answer outside the contract is an error that says so, for the extension and the console.
 */
import { describe, expect, it, vi } from 'vitest';
import { createApiClient } from '../../ui/api-client';
import { ConsoleApiError, createConsoleApi } from '../../console/src/api';
import { SESSION_STORAGE_KEY } from '../../console/src/session-secret';
import { integration, validation } from '../extension/fixtures';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const answering = (response: () => Response) => vi.fn(async () => response()) as unknown as typeof fetch;

describe('the REST client', () => {
  it('hands back an answer that keeps to the contract, checked', async () => {
    const application = { id: 'app_1', name: 'Billing', createdAt: '2026-11-28T08:00:00.000Z', environment: null, stripeAccount: null, stripe: null };
    const client = createApiClient({ baseUrl: 'http://127.0.0.1:8787/', fetch: answering(() => json(200, { applications: [application] })) });
    expect(await client.listApplications()).toEqual({ ok: true, data: [application] });
  });

  it('reads an older backend’s answers without the fields added since as none: no Stripe account, account name or key expiry, 0 expiring', async () => {
    const { accountName: _name, keyExpiresAt: _expiry, ...olderIntegration } = integration();
    const olderApplication = { id: 'app_1', name: 'Billing', createdAt: '2026-11-28T08:00:00.000Z', environment: null, stripe: olderIntegration };
    const client = createApiClient({ baseUrl: '', fetch: answering(() => json(200, { application: olderApplication })) });
    expect(await client.getApplication('app_1')).toEqual({
      ok: true,
      data: { ...olderApplication, stripeAccount: null, stripe: { ...olderIntegration, accountName: null, keyExpiresAt: null } },
    });
    const status = { device: null, person: { id: 'per_1', name: 'Owner', role: 'admin' }, applications: 1, integrations: { connected: 1, needsAttention: 0 } };
    const older = createApiClient({ baseUrl: '', fetch: answering(() => json(200, status)) });
    expect(await older.status()).toMatchObject({ ok: true, data: { integrations: { rotationDue: 0, expiringSoon: 0 } } });
  });

  it('sends the Rotate dialog’s Expiration with a Send, and an application’s Stripe account with a PATCH', async () => {
    const fetch = answering(() => json(200, { integration: integration(), validation: validation() }));
    const client = createApiClient({ baseUrl: '', fetch });
    await client.putStripeKey('app_1', 'sk_org_x', 'extension', { previousKeyExpiresAt: '2026-11-29T08:00:00.000Z' });
    const [, put] = (fetch as unknown as { mock: { calls: Array<[string, RequestInit]> } }).mock.calls[0]!;
    expect(JSON.parse(String(put.body))).toEqual({ apiKey: 'sk_org_x', source: 'extension', previousKeyExpiresAt: '2026-11-29T08:00:00.000Z' });
    const patching = answering(() =>
      json(200, { application: { id: 'app_1', name: 'Billing', createdAt: 'x', environment: null, stripeAccount: 'acct_1A', stripe: null } }),
    );
    const reply = await createApiClient({ baseUrl: '', fetch: patching }).updateApplication('app_1', { stripeAccount: 'acct_1A' });
    expect(reply).toMatchObject({ ok: true, data: { stripeAccount: 'acct_1A' } });
    const [url, patch] = (patching as unknown as { mock: { calls: Array<[string, RequestInit]> } }).mock.calls[0]!;
    expect([url, patch.method, JSON.parse(String(patch.body))]).toEqual(['/api/applications/app_1', 'PATCH', { stripeAccount: 'acct_1A' }]);
  });

  it('reads a rotation with what each replacement changed, and a rotation from an older backend without it (none, then)', async () => {
    const replacements = [{ applicationId: 'app_2', previousMaskedKey: 'rk_test_…0ld1', warnings: [{ code: 'account_changed', message: 'Another account.' }] }];
    const answer = { validation: validation(), integrations: [integration({ applicationId: 'app_2' })] };
    const current = createApiClient({ baseUrl: '', fetch: answering(() => json(200, { ...answer, replacements })) });
    expect(await current.rotateStripeKey(['app_2'], 'rk_test_x', 'extension')).toEqual({ ok: true, data: { ...answer, replacements } });
    const older = createApiClient({ baseUrl: '', fetch: answering(() => json(200, answer)) });
    expect(await older.rotateStripeKey(['app_2'], 'rk_test_x', 'extension')).toEqual({ ok: true, data: { ...answer, replacements: [] } });
  });

  it('turns an answer outside the contract into unexpected_response, naming the fields that were off', async () => {
    const client = createApiClient({ baseUrl: '', fetch: answering(() => json(200, { applications: [{ id: 7 }] })) });
    const reply = await client.listApplications();
    expect(reply).toMatchObject({
      ok: false,
      status: 200,
      error: {
        code: 'unexpected_response',
        details: { method: 'GET', path: '/api/applications', fields: ['applications.0.id', 'applications.0.name', 'applications.0.createdAt'] },
      },
    });
  });

  it('passes the API’s own errors through with their hint, and says when an error has no description', async () => {
    const refused = createApiClient({
      baseUrl: '',
      fetch: answering(() => json(422, { error: { code: 'invalid_api_key', message: 'No such key.', hint: 'Check test vs live.' } })),
    });
    expect(await refused.putStripeKey('app_1', 'rk_test_x', 'manual')).toEqual({
      ok: false,
      status: 422,
      error: { code: 'invalid_api_key', message: 'No such key.', hint: 'Check test vs live.' },
    });
    const bare = createApiClient({ baseUrl: '', fetch: answering(() => json(500, { oops: true })) });
    expect(await bare.listDevices()).toMatchObject({ ok: false, status: 500, error: { code: 'unexpected_response', message: expect.stringContaining('500') } });
  });

  it('takes 204 No Content where the contract says so, and nothing else there', async () => {
    const noContent = createApiClient({ baseUrl: '', fetch: answering(() => new Response(null, { status: 204 })) });
    expect(await noContent.removeIntegration('app_1')).toEqual({ ok: true, data: null });
    const withBody = createApiClient({ baseUrl: '', fetch: answering(() => json(200, { removed: true })) });
    expect(await withBody.removeIntegration('app_1')).toMatchObject({ ok: false, error: { code: 'unexpected_response' } });
  });

  it('sends nothing at all when told to refuse, and reports an unreachable backend as such', async () => {
    const fetch = answering(() => json(200, {}));
    const refusing = createApiClient({ baseUrl: 'http://serval.example.com', fetch, refusal: { code: 'insecure_backend_url', message: 'Use https://.' } });
    expect(await refusing.pair('ABCD-EFGH', 'Chrome')).toMatchObject({ ok: false, status: null, error: { code: 'insecure_backend_url' } });
    expect(fetch).not.toHaveBeenCalled();
    const down = createApiClient({
      baseUrl: '',
      fetch: vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof globalThis.fetch,
    });
    expect(await down.health()).toMatchObject({ ok: false, status: null, error: { code: 'backend_unreachable' } });
  });
});

describe('the console on the same client', () => {
  it('throws an answer outside the contract as a ConsoleApiError in its own words', async () => {
    const api = createConsoleApi(answering(() => json(200, { application: { id: 'app_1' } })));
    const failure = await api.application('app_1').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConsoleApiError);
    expect((failure as ConsoleApiError).error).toMatchObject({ code: 'unexpected_response', hint: expect.stringContaining('Reload this page') });
  });

  it('signs out on a 401 (forgetting the secret), except for a wrong sign-in code', async () => {
    const onUnauthorized = vi.fn();
    const api = createConsoleApi(
      answering(() => json(401, { error: { code: 'unauthorized', message: 'Not signed in.' } })),
      onUnauthorized,
    );
    localStorage.setItem(SESSION_STORAGE_KEY, 'sss_old');
    await expect(api.signInWithCode('WXYZ-0000')).rejects.toBeInstanceOf(ConsoleApiError);
    expect(onUnauthorized).not.toHaveBeenCalled();
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBe('sss_old');
    await expect(api.applications()).rejects.toBeInstanceOf(ConsoleApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('keeps the secret a sign-in returns and sends it as X-Serval-Session on every request, and no bearer token', async () => {
    localStorage.clear();
    const person = { id: 'per_1', name: 'Ada', email: null, role: 'admin', createdAt: '2026-11-28T08:00:00.000Z', disabledAt: null };
    const fetch = vi.fn(async (url: string) =>
      url === '/api/session'
        ? json(201, { person, session: { id: 'ses_1', expiresAt: '2026-11-28T20:00:00.000Z' }, secret: 'sss_secret' })
        : json(200, { person, via: 'session' }),
    ) as unknown as typeof globalThis.fetch;
    const api = createConsoleApi(fetch);
    expect(await api.signInWithCode('ABCD-EFGH')).toEqual(person);
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBe('sss_secret');
    expect((await api.me()).person.name).toBe('Ada');
    const [, init] = vi.mocked(fetch).mock.calls[1] as unknown as [string, RequestInit];
    expect(init.headers).toMatchObject({ 'x-serval-session': 'sss_secret' });
    expect(init.headers).not.toHaveProperty('authorization');
    expect(init.credentials).toBe('same-origin');
  });

  it('signing out forgets the secret even when the backend can not be reached', async () => {
    localStorage.setItem(SESSION_STORAGE_KEY, 'sss_secret');
    const api = createConsoleApi(vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof globalThis.fetch);
    await expect(api.signOut()).rejects.toBeInstanceOf(ConsoleApiError);
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });
});
