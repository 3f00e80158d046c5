/** The background worker's status: the toolbar badge, the status report, the poll, and what it does at every start. */
import { describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createServalBackground, STATUS_ALARM } from '../../extension/background/serval-background';
import { createMessageListener } from '../../extension/messaging/router';
import { sendToBackground } from '../../extension/messaging/send';
import { restrictStorageToExtension } from '../../extension/storage';
import { pair, setup, useFakeBrowser } from './background-harness';
import { createFakeBackend } from './fake-backend';
import { application, integration } from './fixtures';
import { EXTENSION } from './senders';

useFakeBrowser();

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
      applications: [
        application({ id: 'a', stripe: integration(due) }),
        application({ id: 'b', stripe: integration(due) }),
        application({ id: 'c', stripe: integration() }),
      ],
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

  it('turns red for keys that stop working at Stripe within 24 hours, counted with the broken ones, and says so in the title', async () => {
    const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
    const { backend, background } = setup({
      applications: [
        application({ id: 'a', stripe: integration({ keyExpiresAt: inHours(23) }) }),
        application({ id: 'b', stripe: integration({ keyExpiresAt: inHours(71) }) }),
        application({ id: 'c', stripe: integration({ rotationDue: true }) }),
      ],
    });
    await pair();
    await background.refreshStatus();
    expect(await fakeBrowser.action.getBadgeText({})).toBe('1');
    expect(await fakeBrowser.action.getBadgeBackgroundColor({})).toEqual([0xd9, 0x2d, 0x20, 255]); // BADGE_COLORS.attention
    expect(await fakeBrowser.action.getTitle({})).toBe(
      'Serval for Stripe: 1 key stops working within 24 hours: send its application the new key. 1 key is due for rotation.',
    );
    backend.state.applications[1].stripe = integration({ status: 'invalid', keyExpiresAt: inHours(-1) });
    await background.refreshStatus();
    expect(await fakeBrowser.action.getBadgeText({})).toBe('3');
    expect(await fakeBrowser.action.getTitle({})).toContain('1 Stripe integration needs attention. 2 keys stop working within 24 hours');
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
      String(input).endsWith('/api/applications') ? new Response(JSON.stringify({ apps: [] }), { status: 200 }) : backend.fetch(input, init)) as typeof fetch;
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
