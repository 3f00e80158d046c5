/** Who may ask the background worker for what: the dashboard page, the extension's own pages, anyone else. */
import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createMessageListener, dispatch, senderOrigin } from '../../extension/messaging/router';
import { sendToBackground } from '../../extension/messaging/send';
import { setup, useFakeBrowser } from './background-harness';
import { dashboardSender, EXTENSION, POPUP_SENDER } from './senders';

useFakeBrowser();

const DASHBOARD_SENDER = dashboardSender();

describe('who may ask for what', () => {
  it('lets the dashboard page load the card into its own tab and frame, and nothing else', async () => {
    const { background } = setup();
    const executeScript = vi.spyOn(fakeBrowser.scripting, 'executeScript').mockResolvedValue([] as never);
    const reply = await dispatch(background.handlers, { type: 'serval:load-card' }, { ...DASHBOARD_SENDER, frameId: 3 }, EXTENSION);
    expect(reply).toEqual({ ok: true, data: null });
    expect(executeScript).toHaveBeenCalledWith({ target: { tabId: 7, frameIds: [3] }, files: ['/card-host.js'] });
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
    const reply = await dispatch(
      background.handlers,
      { type: 'serval:pair', data: { backendUrl: 'http://127.0.0.1:8787', code: 'ABCD-EFGH', deviceName: 'x' } },
      {},
      EXTENSION,
    );
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
