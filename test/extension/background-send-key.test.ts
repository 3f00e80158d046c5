/** The background worker sending a key: Send to Serval (PUT) and Also update (POST /api/stripe/rotate), and what it refuses itself. */
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../extension/messaging/router';
import { sendToBackground } from '../../extension/messaging/send';
import { pair, setup, useFakeBrowser } from './background-harness';
import { application, PUBLISHABLE_LIVE, RESTRICTED_TEST, SECRET_LIVE } from './fixtures';
import { dashboardSender, EXTENSION } from './senders';

useFakeBrowser();

const DASHBOARD_SENDER = dashboardSender();

describe('sending a key', () => {
  it("carries the Rotate dialog's expiry with Send and Also update, and the Stripe account an organization key acts on", async () => {
    const { backend } = setup({ applications: [application(), application({ id: 'app_2', name: 'Payouts' })] });
    await pair();
    backend.state.requests = [];
    const previousKeyExpiresAt = '2026-05-02T10:00:00.000Z';
    expect(await sendToBackground('serval:send-key', { applicationId: 'app_1', apiKey: RESTRICTED_TEST, previousKeyExpiresAt })).toMatchObject({ ok: true });
    expect(await sendToBackground('serval:rotate-key', { applicationIds: ['app_2'], apiKey: RESTRICTED_TEST, previousKeyExpiresAt })).toMatchObject({
      ok: true,
    });
    const bodies = backend.state.requests.filter((r) => r.method === 'PUT' || r.url.endsWith('/api/stripe/rotate')).map((r) => r.body);
    expect(bodies).toEqual([
      { apiKey: RESTRICTED_TEST, source: 'extension', previousKeyExpiresAt },
      { apiKey: RESTRICTED_TEST, applicationIds: ['app_2'], source: 'extension', previousKeyExpiresAt },
    ]);

    const created = await sendToBackground('serval:create-application', { name: 'Org billing', stripeAccount: 'acct_1Org' });
    expect(created).toMatchObject({ ok: true, data: { application: { name: 'Org billing', stripeAccount: 'acct_1Org' } } });
    expect(await sendToBackground('serval:set-stripe-account', { applicationId: 'app_1', stripeAccount: 'acct_1Org' })).toMatchObject({
      ok: true,
      data: { application: { id: 'app_1', stripeAccount: 'acct_1Org' } },
    });
    const patch = backend.state.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.url).toMatch(/\/api\/applications\/app_1$/);
    expect(patch.body).toEqual({ stripeAccount: 'acct_1Org' });
  });

  it('setting the Stripe account of an existing application is refused to a member, as the backend says', async () => {
    const { backend } = setup({ applications: [application()] });
    await pair();
    backend.state.person = { ...backend.state.person, role: 'member' };
    expect(await sendToBackground('serval:set-stripe-account', { applicationId: 'app_1', stripeAccount: 'acct_1Org' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(backend.state.applications[0].stripeAccount).toBeNull();
  });

  it('Also update: POSTs the key once to /api/stripe/rotate for the listed applications, with source "extension"', async () => {
    const { backend } = setup({ applications: [application(), application({ id: 'app_2', name: 'Payouts' }), application({ id: 'app_3', name: 'Reports' })] });
    await pair();
    backend.state.requests = [];
    const reply = await sendToBackground('serval:rotate-key', { applicationIds: ['app_2', 'app_3'], apiKey: RESTRICTED_TEST });
    expect(reply).toMatchObject({ ok: true, data: { integrations: [{ applicationId: 'app_2', maskedKey: 'rk_test_…8Hn0' }, { applicationId: 'app_3' }] } });
    const post = backend.state.requests.find((r) => r.method === 'POST' && r.url.endsWith('/api/stripe/rotate'))!;
    expect(post.body).toEqual({ apiKey: RESTRICTED_TEST, applicationIds: ['app_2', 'app_3'], source: 'extension' });
    expect(post.headers.authorization).toBe('Bearer svl_test_token_0123456789');
  });

  it('Also update from the dashboard page is allowed, like Send (the card lives there)', async () => {
    const { background } = setup({ applications: [application(), application({ id: 'app_2', name: 'Payouts' })] });
    await pair();
    const message = { type: 'serval:rotate-key', data: { applicationIds: ['app_2'], apiKey: RESTRICTED_TEST } };
    expect(await dispatch(background.handlers, message, DASHBOARD_SENDER, EXTENSION)).toMatchObject({ ok: true });
  });

  it('Also update refuses a publishable key or an empty list itself, without sending anything', async () => {
    const { backend } = setup({ applications: [application()] });
    await pair();
    backend.state.requests = [];
    expect(await sendToBackground('serval:rotate-key', { applicationIds: ['app_1'], apiKey: PUBLISHABLE_LIVE })).toMatchObject({
      ok: false,
      error: { code: 'publishable_key' },
    });
    expect(await sendToBackground('serval:rotate-key', { applicationIds: [], apiKey: RESTRICTED_TEST })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
    expect(backend.state.requests).toHaveLength(0);
  });

  it('Also update passes an unknown application through and changes nothing', async () => {
    const { backend } = setup({ applications: [application(), application({ id: 'app_2', name: 'Payouts' })] });
    await pair();
    const reply = await sendToBackground('serval:rotate-key', { applicationIds: ['app_2', 'app_gone'], apiKey: RESTRICTED_TEST });
    expect(reply).toMatchObject({ ok: false, error: { code: 'application_not_found' } });
    expect(backend.state.applications.every((a) => a.stripe === null)).toBe(true);
  });

  it('PUTs the key with source "extension" and the device token, and returns the verdict', async () => {
    const { backend } = setup({ applications: [application()] });
    await pair();
    backend.state.requests = [];
    const reply = await sendToBackground('serval:send-key', { applicationId: 'app_1', apiKey: RESTRICTED_TEST });
    expect(reply).toMatchObject({ ok: true, data: { integration: { status: 'connected', maskedKey: 'rk_test_…8Hn0' } } });
    const put = backend.state.requests.find((r) => r.method === 'PUT')!;
    expect(put.url).toBe('http://127.0.0.1:8787/api/applications/app_1/integrations/stripe');
    expect(put.body).toEqual({ apiKey: RESTRICTED_TEST, source: 'extension' });
    expect(put.headers.authorization).toBe('Bearer svl_test_token_0123456789');
  });

  it('makes the first application a key is sent to the default for the next ones', async () => {
    setup({ applications: [application(), application({ id: 'app_2', name: 'Payouts' })] });
    await pair();
    await sendToBackground('serval:send-key', { applicationId: 'app_2', apiKey: SECRET_LIVE });
    expect(await sendToBackground('serval:list-applications')).toMatchObject({ ok: true, data: { defaultApplicationId: 'app_2' } });
  });

  it('refuses a publishable key itself, without sending anything', async () => {
    const { backend } = setup({ applications: [application()] });
    await pair();
    backend.state.requests = [];
    const reply = await sendToBackground('serval:send-key', { applicationId: 'app_1', apiKey: PUBLISHABLE_LIVE });
    expect(reply).toMatchObject({ ok: false, error: { code: 'publishable_key', hint: expect.stringContaining('restricted key') } });
    expect(backend.state.requests).toHaveLength(0);
  });

  it('passes the backend’s refusal through with its hint', async () => {
    const { backend } = setup({ applications: [application()] });
    await pair();
    backend.state.failWith = { status: 422, code: 'invalid_api_key' };
    const reply = await sendToBackground('serval:send-key', { applicationId: 'app_1', apiKey: RESTRICTED_TEST });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_api_key', hint: expect.stringContaining('test vs live') } });
  });

  it('reports an unreachable backend as such', async () => {
    const { backend } = setup({ applications: [application()] });
    await pair();
    backend.state.failWith = 'network';
    const reply = await sendToBackground('serval:send-key', { applicationId: 'app_1', apiKey: RESTRICTED_TEST });
    expect(reply).toMatchObject({ ok: false, error: { code: 'backend_unreachable' } });
  });
});
