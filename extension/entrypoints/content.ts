/**
 * The Stripe Dashboard content script. It stays small: on an API keys page it watches for a
 * revealed key; when it finds one it asks for the offer card, which is a separate script.
 */
import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { CARD_HOST_TAG } from '../card/card-api';
import { loadCardFromBackground } from '../content/load-card';
import { createOfferController } from '../content/offer-controller';
import { rotateExpirationMemory } from '../content/rotate-expiration';
import { createKeyWatcher } from '../detection/key-watcher';
import { OFFER_AGAIN, type OfferAgainReply } from '../messaging/protocol';
import { answer } from '../messaging/router';
import { recognizeStripePage, type StripePage } from '../page/stripe-pages';

export default defineContentScript({
  matches: ['https://dashboard.stripe.com/*'],
  runAt: 'document_idle',
  main(ctx) {
    let page: StripePage | null = recognizeStripePage(location.href);

    const rotation = rotateExpirationMemory();
    ctx.addEventListener(document, 'click', rotation.onClick, { capture: true });
    const offers = createOfferController({ loadCard: loadCardFromBackground, currentPage: () => page, rotation });
    const watcher = createKeyWatcher({
      document,
      MutationObserver: window.MutationObserver,
      onKeys: (found) => offers.offer(found),
      nextFrame: (callback) => void ctx.requestAnimationFrame(callback),
      isOwnNode: (node) => (node as Element).localName === CARD_HOST_TAG,
    });

    const follow = (url: URL | string) => {
      page = recognizeStripePage(url);
      if (page) watcher.start();
      else watcher.stop();
    };

    follow(location.href);
    ctx.addEventListener(window, 'wxt:locationchange', (event) => follow(event.newUrl));

    const onMessage = (message: unknown, _sender: unknown, sendResponse?: (reply: OfferAgainReply) => void) => {
      if ((message as { type?: unknown } | null)?.type !== OFFER_AGAIN) return undefined;
      offers.forgetOffered();
      if (watcher.watching) watcher.scanAll();
      return answer(Promise.resolve<OfferAgainReply>({ offered: offers.offeredCount }), sendResponse);
    };
    browser.runtime.onMessage.addListener(onMessage);
    ctx.onInvalidated(() => {
      browser.runtime.onMessage.removeListener(onMessage);
      watcher.stop();
      offers.destroy();
    });
  },
});
