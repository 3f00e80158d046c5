/**
 * Handing a key from the Stripe page to the card's frame. The card is an extension page in an
 * iframe on the dashboard (card.html); the key reaches it through here, never through the page:
 *
 * 1. The card host (in the content script's world) sends the key with `serval:offer-key` and gets
 *    back a one-time id: 128 random bits, kept in this worker's memory only, for a few minutes.
 * 2. The host gives the iframe that id, in the URL's fragment (the page cannot read the URL of a
 *    frame of another origin, and the frame sits in a closed shadow root).
 * 3. The card's frame takes the offer with `serval:take-offer`: the id is spent at once and the
 *    key forgotten here. A second take, or a frame in another tab, gets `offer_gone`.
 *
 * The key is never put in storage, in a URL, or in a message to the page's window. Also here:
 * injecting the card host's script into the dashboard (`serval:load-card`).
 */
import { browser } from 'wxt/browser';
import { errorBody } from '../../shared/errors.js';
import { maskKey, parseKey } from '../../shared/keys.js';
import { clientError, type ServalError } from '../../ui/errors';
import type { RotateChoice } from '../messaging/protocol';
import type { Handlers, Sender } from '../messaging/router';
import { createCardRelayHandlers } from './card-relay';

/** The card host's script (entrypoints/card-host.ts), injected on the first key of a page. */
export const CARD_HOST_SCRIPT = '/card-host.js';
/** How long an offer waits for its frame: a frame takes it within milliseconds. */
export const OFFER_TTL_MS = 2 * 60_000;
/** More offers than this waiting at once is a page asking in a loop: the oldest are dropped. */
const MAX_WAITING = 32;

type Waiting = { key: string; page: unknown; rotation: RotateChoice | null; slot: string; tabId: number; frameId: number; expires: number };

function newOfferId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const offerGone = (): ServalError => clientError('offer_gone');

/** The Rotate dialog's choice as the host read it: two strings, or nothing. */
function rotateChoice(value: unknown): RotateChoice | null {
  const choice = value as Partial<RotateChoice> | null | undefined;
  return typeof choice?.expiration === 'string' && Number.isFinite(choice.chosenAt)
    ? { expiration: choice.expiration.slice(0, 40), chosenAt: choice.chosenAt as number }
    : null;
}

export function createOfferHandlers(now: () => number = Date.now): Pick<Handlers, 'serval:offer-key' | 'serval:take-offer' | 'serval:load-card'> {
  const waiting = new Map<string, Waiting>();

  function prune(): void {
    const at = now();
    for (const [id, offer] of waiting) if (offer.expires <= at) waiting.delete(id);
    while (waiting.size >= MAX_WAITING) waiting.delete(waiting.keys().next().value as string);
  }

  return {
    'serval:offer-key': async ({ key, page, rotation, slot }, sender: Sender) => {
      const tabId = sender.tab?.id;
      if (tabId === undefined) return { ok: false, error: clientError('not_allowed') };
      const parsed = typeof key === 'string' ? parseKey(key) : null;
      if (!parsed?.ok) return { ok: false, error: errorBody(parsed?.code ?? 'malformed_key', { message: parsed?.message }).error };
      prune();
      const offerId = newOfferId();
      waiting.set(offerId, {
        key: parsed.key,
        page: page ?? null,
        rotation: rotateChoice(rotation),
        slot: String(slot),
        tabId,
        frameId: sender.frameId ?? 0,
        expires: now() + OFFER_TTL_MS,
      });
      return { ok: true, data: { offerId } };
    },

    'serval:take-offer': async ({ offerId }, sender: Sender) => {
      const offer = typeof offerId === 'string' ? waiting.get(offerId) : undefined;
      if (typeof offerId === 'string') waiting.delete(offerId); // spent, whatever happens next
      // The frame is in the tab whose page offered the key (a browser that names the tab says so).
      const senderTab = sender.tab?.id;
      if (!offer || offer.expires <= now() || (senderTab !== undefined && senderTab !== offer.tabId)) return { ok: false, error: offerGone() };
      const parsed = parseKey(offer.key);
      if (!parsed.ok) return { ok: false, error: offerGone() };
      return {
        ok: true,
        data: {
          key: parsed.key,
          keyType: parsed.keyType,
          mode: parsed.mode, // null for an organization key: Stripe's answer to the check says
          maskedKey: maskKey(parsed.key),
          page: offer.page as never,
          rotation: offer.rotation,
          slot: offer.slot,
          tabId: offer.tabId,
          frameId: offer.frameId,
        },
      };
    },

    'serval:load-card': async (_data, sender: Sender) => {
      const tabId = sender.tab?.id;
      if (tabId === undefined) return { ok: false, error: clientError('not_allowed') };
      try {
        await browser.scripting.executeScript({ target: { tabId, frameIds: [sender.frameId ?? 0] }, files: [CARD_HOST_SCRIPT] });
        return { ok: true, data: null };
      } catch {
        return { ok: false, error: clientError('extension_unavailable', { message: 'The Serval card could not be shown on this page.' }) };
      }
    },
  };
}

/** Everything the card asks of the worker beyond the backend: its key (offers) and its words to its host (card-relay.ts). */
export function createCardHandlers(): Pick<Handlers, 'serval:offer-key' | 'serval:take-offer' | 'serval:load-card' | 'serval:tell-card-host'> {
  return { ...createOfferHandlers(), ...createCardRelayHandlers() };
}
