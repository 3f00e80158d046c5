/**
 * How the content script and the lazily injected card host meet. Both run in the extension's
 * isolated world of the same frame, so they share `globalThis` — which the page cannot see. The
 * card host's script (entrypoints/card-host.ts) installs a CardApi there; the content script looks
 * it up after asking the background worker to inject the script.
 */
import type { RotateChoice } from '../messaging/protocol';
import type { StripePage } from '../page/stripe-pages';

/**
 * A key the content script found, held in memory only, on its way to the card. What the card
 * shows of it (type, mode, masked form) the background worker works out when the card's frame
 * takes it: the content script, on every dashboard page, carries no parser for that.
 */
export type KeyOffer = {
  key: string;
  /** The element that shows the key, used to place the card beside (not over) its dialog. */
  anchor: Element | null;
  page: StripePage | null;
  /** The Expiration chosen in Stripe's Rotate dialog just before the key appeared, if it came from there. */
  rotation?: RotateChoice | null;
};

export type CardApi = {
  /** Shows an offer, or does nothing if that key is already on screen. */
  show(offer: KeyOffer): void;
  /** Removes every offer (the content script is going away). */
  clear(): void;
};

export const CARD_API_GLOBAL = '__servalKeyOfferCard';
export const CARD_HOST_TAG = 'serval-key-offer';

export function installedCardApi(): CardApi | undefined {
  return (globalThis as Record<string, unknown>)[CARD_API_GLOBAL] as CardApi | undefined;
}

export function installCardApiGlobal(api: CardApi): void {
  (globalThis as Record<string, unknown>)[CARD_API_GLOBAL] = api;
}
