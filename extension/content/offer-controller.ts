/**
 * Turns keys found on the page into offers: each key once per page (dismissed keys stay
 * dismissed) until the user asks for the page's keys again. Loads the card on the first offer.
 * Keys are held here in memory only, for the life of the page.
 */
import type { FoundKey } from '../detection/key-detector';
import type { StripePage } from '../page/stripe-pages';
import type { CardApi } from '../card/card-api';
import type { RotateChoice } from '../messaging/protocol';

export type OfferControllerOptions = {
  /** Makes the card available (injecting its script the first time); null if it cannot be. */
  loadCard(): Promise<CardApi | null>;
  currentPage(): StripePage | null;
  /** The Expiration chosen in Stripe's Rotate dialog just before, handed with the next key found (once). */
  rotation?: { take(): RotateChoice | null };
};

export type OfferController = {
  offer(found: readonly FoundKey[]): void;
  /** Forget which keys were offered or dismissed: the next scan offers them again. */
  forgetOffered(): void;
  /** How many keys were handed to the card so far (for the popup's "offer again"). */
  readonly offeredCount: number;
  destroy(): void;
};

export function createOfferController(options: OfferControllerOptions): OfferController {
  const offered = new Set<string>();
  let card: Promise<CardApi | null> | null = null;
  let destroyed = false;

  const loadCardOnce = () => {
    card ??= options.loadCard().then((api) => {
      if (!api) card = null; // let a later key try again
      return api;
    });
    return card;
  };

  return {
    get offeredCount() {
      return offered.size;
    },
    offer(found) {
      for (const { key, element } of found) {
        if (destroyed || offered.has(key)) continue;
        offered.add(key);
        const rotation = options.rotation?.take() ?? null;
        void loadCardOnce().then((api) => {
          if (!api) {
            offered.delete(key);
            return;
          }
          if (destroyed) return;
          api.show({ key, anchor: element, page: options.currentPage(), rotation });
        });
      }
    },
    forgetOffered() {
      offered.clear();
    },
    destroy() {
      destroyed = true;
      offered.clear();
      void card?.then((api) => api?.clear());
    },
  };
}
