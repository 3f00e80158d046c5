/**
 * The card host's side of the card's frames: one `<iframe>` per offer, showing card.html, an
 * extension page. The page's scripts cannot read into it (another origin) nor reach it (it sits in
 * a closed shadow root). Its URL carries only a one-time id (background/offers.ts), in the
 * fragment. Its height follows the card's, which the frame reports (with its closing) through the
 * extension's messaging.
 *
 * A frame the page moves or takes out and puts back loads again, and its id is spent by then: the
 * host asks for a new one, so the card comes back (as a fresh offer) rather than as a dead frame.
 */
import { CARD_WIDTH } from './placement';

export type CardFrameDeps = {
  /** Hands the key to the background worker; the one-time id its frame takes it with, or null. */
  register(slot: string): Promise<string | null>;
  /** The frame's URL for a one-time id. */
  frameUrl(offerId: string): string;
};

export type CardFrame = {
  readonly element: HTMLIFrameElement;
  resize(height: number): void;
  /** Drops its listener; the caller removes the element. */
  destroy(): void;
};

const setImportant = (element: HTMLElement, properties: Record<string, string>) => {
  for (const [name, value] of Object.entries(properties)) element.style.setProperty(name, value, 'important');
};

export function createCardFrame(document: Document, slot: string, deps: CardFrameDeps, onGone: () => void): CardFrame {
  const frame = document.createElement('iframe');
  frame.title = 'Serval';
  setImportant(frame, {
    display: 'block',
    border: '0',
    margin: '0',
    padding: '0',
    width: `${CARD_WIDTH}px`,
    'max-width': 'calc(100vw - 32px)',
    height: '0px',
    // The same colour scheme as the card's document: a frame whose scheme differs gets an opaque backdrop.
    'color-scheme': 'light dark',
    background: 'transparent',
  });
  let destroyed = false;
  /** Whether the next load is one this host started (a new id), or the page moving the frame. */
  let loadExpected = false;

  async function load(): Promise<void> {
    const offerId = await deps.register(slot);
    if (destroyed) return;
    if (!offerId) {
      onGone();
      return;
    }
    // A first URL loads the page; a new id for a page already there is a fragment change, which
    // fires no load event (the card's page takes the new id on `hashchange`).
    loadExpected = !frame.getAttribute('src');
    frame.src = deps.frameUrl(offerId);
  }

  const onLoad = () => {
    if (loadExpected) loadExpected = false;
    else if (frame.src !== '') {
      setImportant(frame, { height: '0px' });
      void load(); // moved or put back by the page: its id is spent, so it needs a new one
    }
  };
  frame.addEventListener('load', onLoad);
  void load();

  return {
    element: frame,
    resize(height) {
      if (Number.isFinite(height) && height >= 0) setImportant(frame, { height: `${Math.ceil(height)}px` });
    },
    destroy() {
      destroyed = true;
      frame.removeEventListener('load', onLoad);
    },
  };
}
