/**
 * From the card's frame to its host on the dashboard, through this worker. Firefox gives an
 * extension page framed in a web page only what it gives content scripts — no `tabs`, so no
 * `tabs.sendMessage` — and expects such a frame to go through the background
 * (https://github.com/w3c/webextensions/issues/787); Chromium takes the same path, so there is one.
 *
 * The message goes only to the tab the frame itself is in, to the frame its offer came from, and
 * only as one of the two shapes a host understands, rebuilt here: nothing else passes through.
 */
import { browser } from 'wxt/browser';
import { clientError } from '../../ui/errors';
import { CARD_FRAME_MESSAGE, type CardFrameMessage } from '../messaging/protocol';
import type { Handlers } from '../messaging/router';

export type SendToTab = (tabId: number, message: CardFrameMessage, frameId: number) => Promise<unknown>;

const sendToTab: SendToTab = (tabId, message, frameId) => browser.tabs.sendMessage(tabId, message, { frameId });

/** The message as a host reads it, or null for anything else. */
export function cardFrameMessage(value: unknown): CardFrameMessage | null {
  const m = value as Partial<Record<'type' | 'slot' | 'event' | 'height' | 'hadFocus', unknown>> | null;
  if (typeof m !== 'object' || m === null || m.type !== CARD_FRAME_MESSAGE || typeof m.slot !== 'string' || m.slot.length > 16) return null;
  if (m.event === 'size' && typeof m.height === 'number' && Number.isFinite(m.height) && m.height >= 0) {
    return { type: CARD_FRAME_MESSAGE, slot: m.slot, event: 'size', height: m.height };
  }
  if (m.event === 'close' && typeof m.hadFocus === 'boolean') return { type: CARD_FRAME_MESSAGE, slot: m.slot, event: 'close', hadFocus: m.hadFocus };
  return null;
}

export function createCardRelayHandlers(send: SendToTab = sendToTab): Pick<Handlers, 'serval:tell-card-host'> {
  return {
    'serval:tell-card-host': async ({ frameId, message }, sender) => {
      const tabId = sender.tab?.id;
      const relayed = cardFrameMessage(message);
      if (tabId === undefined || !Number.isInteger(frameId) || frameId < 0 || !relayed) return { ok: false, error: clientError('bad_request') };
      // A host that is gone (the page navigated away) has nothing to be told.
      await send(tabId, relayed, frameId).catch(() => undefined);
      return { ok: true, data: null };
    },
  };
}
