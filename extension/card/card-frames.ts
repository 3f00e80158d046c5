/**
 * The card host's side of the card's frames: one per offer, showing card.html, an extension page.
 * The page's scripts cannot read into it (another origin) nor reach it (it sits in a closed shadow
 * root). Its URL carries only a one-time id (background/offers.ts), in the fragment. Its height
 * follows the card's, which the frame reports (with its closing) through the extension's
 * messaging.
 *
 * Each `<iframe>` is navigated once, to its id, and never again: a frame the page moves or takes
 * out and puts back loads again (a second `load`), its id spent by then, so the host puts a fresh
 * frame with a new id in its place and the card comes back as a fresh offer. Handing a new id to
 * the same frame by changing its fragment would be no better: Chromium fires `load` for a fragment
 * change started from another origin too (crbug.com/1248444), so it could not be told from a reload.
 */
import { setImportant, setStyles } from './important-style';
import { CARD_WIDTH } from './placement';

export type CardFrameDeps = {
  /** Hands the key to the background worker; the one-time id its frame takes it with, or null. */
  register(slot: string): Promise<string | null>;
  /** The frame's URL for a one-time id. */
  frameUrl(offerId: string): string;
};

export type CardFrame = {
  /** What the host places: it holds the current `<iframe>`. */
  readonly element: HTMLElement;
  resize(height: number): void;
  /** Drops its listeners; the caller removes the element. */
  destroy(): void;
};

function newIframe(document: Document, src: string): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.title = 'Serval';
  setStyles(frame, {
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
  frame.src = src;
  return frame;
}

export function createCardFrame(document: Document, slot: string, deps: CardFrameDeps, onGone: () => void): CardFrame {
  const holder = document.createElement('div');
  setStyles(holder, { display: 'block', margin: '0', padding: '0' });
  let frame: HTMLIFrameElement | null = null;
  let stopWatching: (() => void) | null = null;
  let destroyed = false;
  /** A new id is on its way: the frame made for it will be fresh, whatever the page does meanwhile. */
  let registering = false;

  /** A frame's first load is its own; a second is the page having moved it. */
  function watch(target: HTMLIFrameElement): () => void {
    let loads = 0;
    const onLoad = () => {
      if (++loads < 2 || registering) return;
      setImportant(target, { height: '0px' }); // it shows "no longer available" until replaced
      void load();
    };
    target.addEventListener('load', onLoad);
    return () => target.removeEventListener('load', onLoad);
  }

  async function load(): Promise<void> {
    registering = true;
    const offerId = await deps.register(slot);
    registering = false;
    if (destroyed) return;
    if (!offerId) {
      onGone();
      return;
    }
    stopWatching?.();
    frame?.remove();
    frame = newIframe(document, deps.frameUrl(offerId));
    stopWatching = watch(frame);
    holder.append(frame);
  }
  void load();

  return {
    element: holder,
    resize(height) {
      if (frame && Number.isFinite(height) && height >= 0) setImportant(frame, { height: `${Math.ceil(height)}px` });
    },
    destroy() {
      destroyed = true;
      stopWatching?.();
      stopWatching = null;
    },
  };
}
