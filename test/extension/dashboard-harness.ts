/**
 * The whole extension on a happy-dom "dashboard": the real content script (with a real
 * ContentScriptContext), the real card script, the real background handlers, connected through
 * WXT's fake browser; the backend is a fake at `fetch`. `scripting.executeScript` is the one
 * browser call played by hand: it installs the card host, as Chrome would inject card-host.js.
 * happy-dom loads no frame, so each card "frame" is the real card page (CardPage) rendered into
 * `#card-frames`, outside the host, talking to the same background as card.html would: it takes
 * its offer by the one-time id the host was given.
 */
import { vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import { h, render } from 'preact';
import { CARD_API_GLOBAL, installCardApiGlobal, installedCardApi } from '../../extension/card/card-api';
import { CardPage, type CardPageDeps } from '../../extension/card/CardPage';
import { createCardApi, type CardHostDeps, type FrameEvent } from '../../extension/card/mount';
import type { CardClient } from '../../extension/card/card-client';
import { createServalBackground } from '../../extension/background/serval-background';
import { answer, dispatch } from '../../extension/messaging/router';
import { createFakeBackend, type FakeBackendOptions } from './fake-backend';
import { dashboardSender as senderAt, EXTENSION } from './senders';

/** A fresh page and extension for each test: empty storage, no card script yet, the given body. */
export function resetDashboard(bodyHtml: string): void {
  fakeBrowser.reset();
  delete (globalThis as Record<string, unknown>)[CARD_API_GLOBAL];
  const frames = document.getElementById('card-frames');
  for (const frame of frames?.children ?? []) render(null, frame);
  frames?.remove();
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
    installCardApiGlobal(createCardApi(document, hostDeps));
    return [];
  }) as never);

  // The card's page, as card.html: an extension page in the dashboard's tab.
  const cardSender = { id: EXTENSION.id, url: `${EXTENSION.baseUrl}card.html`, tab: { id: 7 } as never, frameId: 12 };
  const toBackground = (type: string, data?: unknown) => dispatch(background.handlers, { type, data }, cardSender, EXTENSION) as Promise<never>;
  const client: CardClient = {
    listApplications: () => toBackground('serval:list-applications'),
    createApplication: (name, stripeAccount) => toBackground('serval:create-application', { name, stripeAccount }),
    setStripeAccount: (applicationId, stripeAccount) => toBackground('serval:set-stripe-account', { applicationId, stripeAccount }),
    sendKey: (applicationId, apiKey, previousKeyExpiresAt) => toBackground('serval:send-key', { applicationId, apiKey, previousKeyExpiresAt }),
    rotateKey: (applicationIds, apiKey, previousKeyExpiresAt) => toBackground('serval:rotate-key', { applicationIds, apiKey, previousKeyExpiresAt }),
    openOptions: async () => ({ ok: true, data: null }),
  };
  let toHost: ((message: FrameEvent) => void) | null = null;
  /** One "frame": the card page rendered into its own element, gone when the host is told it closed. */
  const pageDeps = (frame: HTMLElement): CardPageDeps => ({
    take: (offerId) => toBackground('serval:take-offer', { offerId }),
    tellHost(offer, event) {
      if (offer) toHost?.({ slot: offer.slot, ...event } as FrameEvent);
      if (event.event === 'close') {
        render(null, frame);
        frame.remove();
      }
    },
    client,
  });
  const hostDeps: CardHostDeps = {
    async register(offer, slot) {
      const reply = await dispatch(
        background.handlers,
        { type: 'serval:offer-key', data: { key: offer.key, page: offer.page, slot } },
        dashboardSender,
        EXTENSION,
      );
      return reply.ok ? (reply.data as { offerId: string }).offerId : null;
    },
    frameUrl(offerId) {
      let frames = document.getElementById('card-frames');
      if (!frames) {
        frames = document.createElement('div');
        frames.id = 'card-frames';
        document.documentElement.append(frames);
      }
      const frame = document.createElement('div');
      frames.append(frame);
      render(h(CardPage, { offerId, deps: pageDeps(frame) }), frame);
      return 'about:blank';
    },
    listen(handler) {
      toHost = handler;
      return () => {
        toHost = null;
      };
    },
  };

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
