/**
 * The background worker with WXT's fake browser and a fake backend behind `fetch`: pairing,
 * revocation, the status badge, sending a key, and who may ask for what.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createServalBackground, STATUS_ALARM } from '../../extension/background/serval-background';
import { dispatch, createMessageListener, senderOrigin } from '../../extension/messaging/router';
import { sendToBackground } from '../../extension/messaging/send';
import { pairingItem, restrictStorageToExtension, unpairedReasonItem } from '../../extension/storage';
import { createFakeBackend, type FakeBackendOptions } from './fake-backend';
import { application, integration, PUBLISHABLE_LIVE, RESTRICTED_TEST, SECRET_LIVE } from './fixtures';
import { dashboardSender, EXTENSION, POPUP_SENDER, sendFromPopup } from './senders';

const DASHBOARD_SENDER = dashboardSender();

function setup(options: FakeBackendOptions = {}) {
  const backend = createFakeBackend(options);
  const background = createServalBackground({ fetch: backend.fetch, now: () => new Date('2026-03-01T12:00:00Z') });
  browser.runtime.onMessage.addListener(createMessageListener(background.handlers, EXTENSION));
  return { backend, background };
}

async function pair(backendUrl = 'http://127.0.0.1:8787', code = 'abcd-efgh') {
  return sendToBackground('serval:pair', { backendUrl, code, deviceName: 'Chrome on Linux' });
}

beforeEach(() => {
  fakeBrowser.reset();
  sendFromPopup();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('pairing', () => {
  it('pairs with the backend URL and code, keeps the token in storage and schedules the status poll', async () => {
    const { backend } = setup();
    const reply = await pair('127.0.0.1:8787/', 'abcd-efgh');
    expect(reply).toMatchObject({ ok: true, data: { paired: true, backendUrl: 'http://127.0.0.1:8787', device: { id: 'dev_1' } } });
    expect(backend.state.requests[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:8787/api/pair',
      body: { code: 'abcd-efgh', deviceName: 'Chrome on Linux' },
    });
    expect(backend.state.requests[0].headers.authorization).toBeUndefined();
    expect(await pairingItem.getValue()).toMatchObject({ token: 'svl_test_token_0123456789', device: { id: 'dev_1' } });
    expect(await fakeBrowser.alarms.get(STATUS_ALARM)).toMatchObject({ periodInMinutes: 1 });
  });

  it('reports a wrong pairing code with the catalogue hint, and stores nothing', async () => {
    setup();
    const reply = await pair('http://127.0.0.1:8787', 'WXYZ-0000');
    expect(reply).toMatchObject({ ok: false, error: { code: 'pairing_code_invalid', hint: expect.stringContaining('npm run pair') } });
    expect(await pairingItem.getValue()).toBeNull();
  });

  it('refuses a Backend URL that is not one', async () => {
    const { backend } = setup();
    expect(await pair('ftp://example.com', 'x')).toMatchObject({ ok: false, error: { code: 'invalid_backend_url' } });
    expect(backend.state.requests).toHaveLength(0);
  });

  it('refuses plain http:// to a backend off this computer, before any request and before asking for access', async () => {
    const { backend } = setup();
    const contains = vi.spyOn(fakeBrowser.permissions, 'contains').mockResolvedValue(true as never);
    for (const backendUrl of ['http://serval.example.com', 'http://192.168.1.20:8787']) {
      const reply = await pair(backendUrl);
      expect(reply, backendUrl).toMatchObject({ ok: false, error: { code: 'insecure_backend_url', message: expect.stringContaining('https://') } });
    }
    expect(contains).not.toHaveBeenCalled();
    expect(backend.state.requests).toHaveLength(0);
    expect(await pairingItem.getValue()).toBeNull();
    // Loopback keeps http://.
    expect(await pair('http://[::1]:8787')).toMatchObject({ ok: true, data: { paired: true, backendUrl: 'http://[::1]:8787' } });
  });

  it('never sends the token or a key to a plain http:// backend off this computer, even one found in storage', async () => {
    const { backend, background } = setup({ applications: [application()] });
    const token = 'svl_test_token_0123456789';
    await pairingItem.setValue({ backendUrl: 'http://serval.example.com', token, device: { id: 'dev_1', name: 'x' }, pairedAt: '' });
    const insecure = { ok: false, error: { code: 'insecure_backend_url' } };
    expect(await sendToBackground('serval:send-key', { applicationId: 'app_1', apiKey: RESTRICTED_TEST })).toMatchObject(insecure);
    expect(await sendToBackground('serval:list-applications')).toMatchObject(insecure);
    expect(await sendToBackground('serval:create-application', { name: 'Checkout' })).toMatchObject(insecure);
    expect(await sendToBackground('serval:get-status')).toMatchObject(insecure);
    expect(await sendToBackground('serval:recheck', { applicationId: 'app_1' })).toMatchObject(insecure);
    expect(await background.refreshStatus()).toMatchObject(insecure);
    // Disconnecting forgets the pairing without revoking over http:// (that would send the token).
    expect(await sendToBackground('serval:disconnect')).toMatchObject({ ok: true, data: { paired: false } });
    expect(backend.state.requests).toEqual([]);
  });

  it('does not call a backend off loopback unless the browser granted access to it', async () => {
    const { backend } = setup();
    const contains = vi.spyOn(fakeBrowser.permissions, 'contains').mockResolvedValue(false as never);
    expect(await pair('https://serval.example.com')).toMatchObject({ ok: false, error: { code: 'host_permission_denied' } });
    expect(contains).toHaveBeenCalledWith({ origins: ['https://serval.example.com/*'] });
    expect(backend.state.requests).toHaveLength(0);

    contains.mockResolvedValue(true as never);
    expect(await pair('https://serval.example.com')).toMatchObject({ ok: true, data: { paired: true } });
    expect(backend.state.requests[0].url).toBe('https://serval.example.com/api/pair');
  });

  it('treats a 401 as a revoked device: forgets the token and goes back to pairing', async () => {
    const { backend } = setup({ applications: [application()] });
    await pair();
    backend.state.revoked = true;
    const reply = await sendToBackground('serval:list-applications');
    expect(reply).toMatchObject({ ok: false, error: { code: 'unauthorized', hint: expect.stringContaining('Pair again') } });
    expect(await pairingItem.getValue()).toBeNull();
    expect(await unpairedReasonItem.getValue()).toBe('revoked');
    expect(await sendToBackground('serval:get-state')).toMatchObject({ ok: true, data: { paired: false, unpairedReason: 'revoked' } });
  });

  it('disconnects: revokes this device on the backend and forgets the pairing, keeping the URL', async () => {
    const { backend } = setup();
    await pair('http://localhost:9999');
    const reply = await sendToBackground('serval:disconnect');
    expect(reply).toMatchObject({ ok: true, data: { paired: false, backendUrl: 'http://localhost:9999', unpairedReason: null } });
    expect(backend.state.requests.at(-1)).toMatchObject({ method: 'DELETE', url: 'http://localhost:9999/api/devices/dev_1' });
    expect(await pairingItem.getValue()).toBeNull();
  });

  it('asks to pair when an unpaired extension is asked for applications', async () => {
    setup();
    expect(await sendToBackground('serval:list-applications')).toMatchObject({ ok: false, error: { code: 'not_paired' } });
  });
});

describe('status and the toolbar badge', () => {
  it('shows how many integrations need attention', async () => {
    const { background } = setup({
      applications: [
        application({ id: 'a', stripe: integration({ status: 'missing_permissions' }) }),
        application({ id: 'b', stripe: integration({ status: 'invalid' }) }),
        application({ id: 'c', stripe: integration() }),
      ],
    });
    await pair();
    await background.refreshStatus();
    expect(await fakeBrowser.action.getBadgeText({})).toBe('2');
    expect(await fakeBrowser.action.getTitle({})).toContain('2 Stripe integrations need attention');
  });

  it('counts the keys due for rotation in amber when nothing else needs attention, and names them in the title either way', async () => {
    const due = { rotationDue: true, rotationDueAt: '2026-02-01T10:00:00.000Z' };
    const { backend, background } = setup({
      applications: [application({ id: 'a', stripe: integration(due) }), application({ id: 'b', stripe: integration(due) }), application({ id: 'c', stripe: integration() })],
    });
    await pair();
    await background.refreshStatus();
    expect(await fakeBrowser.action.getBadgeText({})).toBe('2');
    expect(await fakeBrowser.action.getTitle({})).toContain('2 keys are due for rotation');
    backend.state.applications[2].stripe = integration({ status: 'invalid' });
    await background.refreshStatus();
    expect(await fakeBrowser.action.getBadgeText({})).toBe('1');
    expect(await fakeBrowser.action.getTitle({})).toBe('Serval for Stripe: 1 Stripe integration needs attention. 2 keys are due for rotation.');
  });

  it('clears the badge when everything is connected, and shows "?" when the backend is down', async () => {
    const { backend, background } = setup({ applications: [application({ stripe: integration() })] });
    await pair();
    await background.refreshStatus();
    expect(await fakeBrowser.action.getBadgeText({})).toBe('');
    backend.state.failWith = 'network';
    expect(await background.refreshStatus()).toMatchObject({ ok: false, error: { code: 'backend_unreachable' } });
    expect(await fakeBrowser.action.getBadgeText({})).toBe('?');
  });

  it('composes the status report: version, device, applications', async () => {
    setup({ applications: [application({ stripe: integration() })], version: '1.2.3' });
    await pair();
    const reply = await sendToBackground('serval:get-status');
    expect(reply).toMatchObject({
      ok: true,
      data: { backendUrl: 'http://127.0.0.1:8787', version: '1.2.3', status: { applications: 1 }, applications: [{ id: 'app_1' }] },
    });
  });

  it('marks the backend unreachable when the status view cannot reach it, without asking it again', async () => {
    const { backend } = setup({ applications: [application({ stripe: integration() })] });
    await pair();
    backend.state.failWith = 'network';
    backend.state.requests = [];
    expect(await sendToBackground('serval:get-status')).toMatchObject({ ok: false, error: { code: 'backend_unreachable' } });
    expect(await fakeBrowser.action.getBadgeText({})).toBe('?');
    expect(backend.state.requests.filter((r) => r.url.endsWith('/api/status'))).toHaveLength(1);
  });

  it('says so when the backend answers outside the contract', async () => {
    const backend = createFakeBackend();
    const offContract = (async (input: RequestInfo | URL, init?: RequestInit) =>
      String(input).endsWith('/api/applications')
        ? new Response(JSON.stringify({ apps: [] }), { status: 200 })
        : backend.fetch(input, init)) as typeof fetch;
    const background = createServalBackground({ fetch: offContract });
    browser.runtime.onMessage.addListener(createMessageListener(background.handlers, EXTENSION));
    await pair();
    expect(await sendToBackground('serval:list-applications')).toMatchObject({
      ok: false,
      error: { code: 'unexpected_response', details: { path: '/api/applications', fields: ['applications'] } },
    });
  });

  it('closes storage.local (the token) to content scripts first thing at every worker start, where the browser can', async () => {
    const setAccessLevel = vi.fn(async () => {});
    Object.assign(fakeBrowser.storage.local, { setAccessLevel });
    const addListener = vi.spyOn(fakeBrowser.runtime.onMessage, 'addListener');
    const { default: entrypoint } = await import('../../extension/entrypoints/background');
    entrypoint.main();
    expect(setAccessLevel).toHaveBeenCalledWith({ accessLevel: 'TRUSTED_CONTEXTS' });
    // Before the worker listens: no message can have stored anything yet.
    expect(setAccessLevel.mock.invocationCallOrder[0]).toBeLessThan(addListener.mock.invocationCallOrder[0]);
    delete (fakeBrowser.storage.local as { setAccessLevel?: unknown }).setAccessLevel;
    // Firefox has no setAccessLevel: nothing to do, and nothing fails.
    await expect(restrictStorageToExtension()).resolves.toBeUndefined();
  });

  it('polls on the alarm and starts polling when installed (the real entrypoint)', async () => {
    const backend = createFakeBackend({ applications: [application({ stripe: integration({ status: 'invalid' }) })] });
    vi.stubGlobal('fetch', backend.fetch);
    const { default: entrypoint } = await import('../../extension/entrypoints/background');
    entrypoint.main();
    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'install' } as never);
    expect(await fakeBrowser.alarms.get(STATUS_ALARM)).toBeDefined();
    expect(await sendToBackground('serval:pair', { backendUrl: 'http://127.0.0.1:8787', code: 'ABCDEFGH', deviceName: 'x' })).toMatchObject({ ok: true });
    await fakeBrowser.action.setBadgeText({ text: '' });
    await fakeBrowser.alarms.onAlarm.trigger({ name: STATUS_ALARM, scheduledTime: Date.now() } as never);
    await vi.waitFor(async () => expect(await fakeBrowser.action.getBadgeText({})).toBe('1'));
  });
});

describe('sending a key', () => {
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
    expect(await sendToBackground('serval:rotate-key', { applicationIds: ['app_1'], apiKey: PUBLISHABLE_LIVE })).toMatchObject({ ok: false, error: { code: 'publishable_key' } });
    expect(await sendToBackground('serval:rotate-key', { applicationIds: [], apiKey: RESTRICTED_TEST })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
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

describe('who may ask for what', () => {
  it('lets the dashboard page load the card into its own tab and frame, and nothing else', async () => {
    const { background } = setup();
    const executeScript = vi.spyOn(fakeBrowser.scripting, 'executeScript').mockResolvedValue([] as never);
    const reply = await dispatch(background.handlers, { type: 'serval:load-card' }, { ...DASHBOARD_SENDER, frameId: 3 }, EXTENSION);
    expect(reply).toEqual({ ok: true, data: null });
    expect(executeScript).toHaveBeenCalledWith({ target: { tabId: 7, frameIds: [3] }, files: ['/card.js'] });
  });

  it('refuses pairing, disconnecting and status requests coming from a web page', async () => {
    const { background } = setup();
    for (const type of ['serval:pair', 'serval:disconnect', 'serval:get-status', 'serval:recheck'] as const) {
      const reply = await dispatch(background.handlers, { type, data: {} }, DASHBOARD_SENDER, EXTENSION);
      expect(reply, type).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    }
  });

  it("counts only the extension's own pages as the extension: our id and a URL under our origin, tab or not", () => {
    const optionsInATab = { id: EXTENSION.id, url: `${EXTENSION.baseUrl}options.html`, tab: { id: 9 } as never, frameId: 0 };
    expect(senderOrigin(POPUP_SENDER, EXTENSION)).toBe('extension');
    expect(senderOrigin(optionsInATab, EXTENSION)).toBe('extension');
    expect(senderOrigin(DASHBOARD_SENDER, EXTENSION)).toBe('page');
    // No tab does not make a sender ours.
    expect(senderOrigin({}, EXTENSION)).toBe('page');
    expect(senderOrigin({ id: EXTENSION.id }, EXTENSION)).toBe('page');
    expect(senderOrigin({ id: EXTENSION.id, url: 'https://dashboard.stripe.com/test/apikeys' }, EXTENSION)).toBe('page');
    expect(senderOrigin({ id: EXTENSION.id, url: 'chrome-extension://test-extension-id-2/popup.html' }, EXTENSION)).toBe('page');
    expect(senderOrigin({ id: 'another-extension', url: `${EXTENSION.baseUrl}popup.html` }, EXTENSION)).toBe('page');
  });

  it('refuses pairing to a sender without a tab that is not one of our pages', async () => {
    const { background, backend } = setup();
    const reply = await dispatch(background.handlers, { type: 'serval:pair', data: { backendUrl: 'http://127.0.0.1:8787', code: 'ABCD-EFGH', deviceName: 'x' } }, {}, EXTENSION);
    expect(reply).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    expect(backend.state.requests).toHaveLength(0);
  });

  it('ignores messages that are not part of the protocol', async () => {
    const { background } = setup();
    const listener = createMessageListener(background.handlers, EXTENSION);
    expect(listener({ type: 'something-else' }, {})).toBeUndefined();
    expect(await dispatch(background.handlers, { type: 'serval:nope' }, {}, EXTENSION)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('opens the options page for the card', async () => {
    setup();
    const open = vi.spyOn(fakeBrowser.runtime, 'openOptionsPage').mockResolvedValue(undefined);
    expect(await sendToBackground('serval:open-options')).toEqual({ ok: true, data: null });
    expect(open).toHaveBeenCalled();
  });
});
