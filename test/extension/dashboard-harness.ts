/**
 * The whole extension on a happy-dom "dashboard": the real content script (with a real
 * ContentScriptContext), the real card script, the real background handlers, connected through
 * WXT's fake browser; the backend is a fake at `fetch`. `scripting.executeScript` is the one
 * browser call played by hand: it runs the card entrypoint, as Chrome would inject card.js.
 */
import { vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import { CARD_API_GLOBAL, installedCardApi } from '../../extension/card/card-api';
import { createServalBackground } from '../../extension/background/serval-background';
import { answer, dispatch } from '../../extension/messaging/router';
import { createFakeBackend, type FakeBackendOptions } from './fake-backend';
import { dashboardSender as senderAt, EXTENSION } from './senders';

/** A fresh page and extension for each test: empty storage, no card script yet, the given body. */
export function resetDashboard(bodyHtml: string): void {
  fakeBrowser.reset();
  delete (globalThis as Record<string, unknown>)[CARD_API_GLOBAL];
  document.body.innerHTML = bodyHtml;
}

/** Takes down what a test's dashboard left: the card, the content script (via `stop`), mocks. */
export function tearDownDashboard(stop: (() => void) | null): void {
  installedCardApi()?.clear();
  stop?.();
  vi.restoreAllMocks();
}

export async function startDashboard(url: string, backendOptions: FakeBackendOptions = {}) {
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url);
  const backend = createFakeBackend(backendOptions);
  const background = createServalBackground({ fetch: backend.fetch });
  // Every message in these tests comes from the dashboard tab.
  const dashboardSender = senderAt(url);
  browser.runtime.onMessage.addListener(((message: unknown, _sender: unknown, sendResponse: (response: unknown) => void) =>
    answer(dispatch(background.handlers, message, dashboardSender, EXTENSION), sendResponse)) as never);
  const sendMessage = vi.spyOn(fakeBrowser.runtime, 'sendMessage');
  /** The content script's requests for the card: the first thing it does with a key it found. */
  const loadCardRequests = () => sendMessage.mock.calls.filter(([message]) => (message as { type?: unknown } | null)?.type === 'serval:load-card');
  const executeScript = vi.spyOn(fakeBrowser.scripting, 'executeScript').mockImplementation((async () => {
    const { default: card } = await import('../../extension/entrypoints/card');
    card.main();
    return [];
  }) as never);

  const pair = () => background.handlers['serval:pair']({ backendUrl: 'http://127.0.0.1:8787', code: 'ABCD-EFGH', deviceName: 'Chrome on Linux' }, {});

  const ctx = new ContentScriptContext('content');
  const { default: contentScript } = await import('../../extension/entrypoints/content');
  await contentScript.main(ctx);

  return { backend, background, executeScript, loadCardRequests, pair, ctx, stop: () => ctx.abort() };
}

/**
 * Changes the page and resolves once the content script's MutationObserver has been called with
 * the change — if it still observes. Observers are called in the order they were created, and
 * the one made here is newer than the content script's, so when it is called, the content
 * script's callback has run, and what it does with a key it found (ask for the card) has begun.
 */
export function afterContentScriptSaw(change: () => void): Promise<void> {
  return new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      observer.disconnect();
      resolve();
    });
    observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
    change();
  });
}
