/**
 * The card host's ties to the extension: the key goes to the background worker for a one-time id
 * (`serval:offer-key`), the frame shows card.html with that id in its fragment, and the frames'
 * messages (`tabs.sendMessage` from card.html) arrive on the runtime's onMessage — which only the
 * extension's own pages and worker can send to, never the page.
 */
import { browser } from 'wxt/browser';
import { CARD_FRAME_MESSAGE, type CardFrameMessage } from '../messaging/protocol';
import { sendToBackground } from '../messaging/send';
import type { CardHostDeps, FrameEvent } from './mount';

export const CARD_PAGE = '/card.html';

export const backgroundHostDeps: CardHostDeps = {
  async register(offer, slot) {
    const reply = await sendToBackground('serval:offer-key', { key: offer.key, page: offer.page, rotation: offer.rotation ?? null, slot });
    return reply.ok ? reply.data.offerId : null;
  },
  frameUrl: (offerId) => `${browser.runtime.getURL(CARD_PAGE)}#${offerId}`,
  listen(handler) {
    const listener = (message: unknown, sender: { id?: string }) => {
      const frameMessage = message as CardFrameMessage | null;
      if (sender.id !== browser.runtime.id || frameMessage?.type !== CARD_FRAME_MESSAGE) return undefined;
      handler(frameMessage as FrameEvent);
      return undefined;
    };
    browser.runtime.onMessage.addListener(listener);
    return () => browser.runtime.onMessage.removeListener(listener);
  },
};
