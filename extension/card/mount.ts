/**
 * The card on the page: a `<serval-key-offer>` element with a closed shadow root, holding one
 * frame per revealed key (card-frames.ts). The page's scripts see an empty element: no shadow
 * root to open, no frame to read, nothing to click.
 *
 * Where it lives in the DOM: right after the key (cardPosition), so that it is next in the tab
 * order — one Tab from the key's field — and inside the dialog that shows the key when there is
 * one (so a modal dialog's focus trap and `inert` do not lock it out). Where it shows: as a manual
 * popover where supported, so it sits in the top layer, above the dialog, at a viewport corner
 * clear of the dialog (placement.ts); it never takes part in the page's layout, so nothing of
 * Stripe's moves. If the key goes away while an offer is still open, the card moves to the end of
 * <body> rather than vanish.
 *
 * Focus: when an offer is closed (its ×, Close this offer, Escape) while focus is in it, focus goes
 * back to the page's element that had it last before the card, or else to the key's field.
 */
import { CARD_HOST_TAG, type CardApi, type KeyOffer } from './card-api';
import { createCardFrame, type CardFrame } from './card-frames';
import { setImportant, setStyles } from './important-style';
import { placeCard, type Rect } from './placement';

const DIALOG_SELECTOR = 'dialog, [role="dialog"], [role="alertdialog"], [aria-modal="true"]';
/** Elements the card must not sit inside: a click in the card would also press, follow or focus them. */
const INTERACTIVE = 'a[href], button, label, summary, select, [role="button"], [role="link"], [contenteditable]:not([contenteditable="false"])';
/** Parents that allow only certain children (list items, table rows and cells, options). */
const STRICT_PARENT = 'ul, ol, dl, menu, table, thead, tbody, tfoot, tr, colgroup, select, optgroup, datalist, hgroup';

/**
 * The element the card goes right after: the key's element, or the outermost interactive element
 * around it, lifted out of lists and tables whose children are prescribed. Null when that would
 * be <body> or above: the card then goes at the end of <body>.
 */
export function cardPosition(key: Element): Element | null {
  const body = key.ownerDocument.body;
  let position = key;
  for (let up = key.parentElement; up && up !== body; up = up.parentElement) {
    if (up.matches(INTERACTIVE)) position = up;
  }
  while (position.parentElement && position.parentElement !== body && position.parentElement.matches(STRICT_PARENT)) {
    position = position.parentElement;
  }
  return body?.contains(position) && position !== body ? position : null;
}

/**
 * Puts the host right after `after`, keeping its frames loaded where the browser can
 * (`moveBefore`, a state-preserving move); a plain insertion reloads them.
 */
function moveAfter(host: Element, after: Element): void {
  const parent = after.parentNode as (ParentNode & { moveBefore?: (node: Node, child: Node | null) => void }) | null;
  if (host.isConnected && parent && typeof parent.moveBefore === 'function') {
    try {
      parent.moveBefore(host, after.nextSibling);
      return;
    } catch {
      // not movable that way (another document, say): insert it
    }
  }
  after.after(host);
}

/** What the host needs of the extension: handing a key over, the frame's URL, and the frames' messages. */
export type CardHostDeps = {
  /** Hands the key to the background worker for the frame called `slot`; its one-time id, or null. */
  register(offer: KeyOffer, slot: string): Promise<string | null>;
  frameUrl(offerId: string): string;
  /** Calls `handler` with each message from a card's frame; returns how to stop. */
  listen(handler: (message: FrameEvent) => void): () => void;
};

export type FrameEvent = { slot: string; event: 'size'; height: number } | { slot: string; event: 'close'; hadFocus: boolean };

type Shown = { slot: string; offer: KeyOffer; frame: CardFrame };

const CLOSED_ROOTS = new WeakMap<Element, ShadowRoot>();

/** The host's closed shadow root, for the extension's own code (and its tests) only. */
export function cardShadowRoot(host: Element): ShadowRoot | undefined {
  return CLOSED_ROOTS.get(host);
}

export function createCardApi(document: Document, deps: CardHostDeps): CardApi {
  const window = document.defaultView!;
  let host: HTMLElement | null = null;
  let stack: HTMLElement | null = null;
  let shown: Shown[] = [];
  let nextSlot = 1;
  let anchor: Element | null = null;
  let watchdog: MutationObserver | null = null;
  let stopListening: (() => void) | null = null;
  /** The page's element that had focus last: focus goes back there when an offer is closed. */
  let focusBefore: Element | null = null;

  const onPageFocus = (event: Event) => {
    const target = event.target;
    // Focus in the card shows here as its host (or, unretargeted, its frame, in the shadow tree).
    if (target instanceof window.Element && target !== host && target.getRootNode() === document) focusBefore = target;
  };

  function createHost(): HTMLElement {
    const element = document.createElement(CARD_HOST_TAG);
    setStyles(element, {
      position: 'fixed',
      'z-index': '2147483647',
      margin: '0',
      padding: '0',
      border: '0',
      background: 'transparent',
      overflow: 'visible',
      width: 'auto',
      height: 'auto',
      inset: 'auto',
      opacity: '1',
      transform: 'none',
      filter: 'none',
    });
    const shadow = element.attachShadow({ mode: 'closed' });
    CLOSED_ROOTS.set(element, shadow);
    stack = document.createElement('div');
    setStyles(stack, { display: 'flex', 'flex-direction': 'column', gap: '8px', 'max-height': 'calc(100vh - 32px)', overflow: 'auto' });
    shadow.append(stack);
    if (typeof element.showPopover === 'function') element.setAttribute('popover', 'manual');
    document.addEventListener('focusin', onPageFocus, true);
    element.addEventListener('toggle', onToggle);
    return element;
  }

  /** The dialog that shows the key, while it is on the page. */
  function anchorDialog(): Element | null {
    return anchor?.isConnected ? anchor.closest(DIALOG_SELECTOR) : null;
  }

  function place(): void {
    if (!host) return;
    const rect = (anchorDialog() ?? (anchor?.isConnected ? anchor : null))?.getBoundingClientRect();
    const avoid: Rect | null = rect ? { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom } : null;
    setImportant(host, placeCard({ width: window.innerWidth, height: window.innerHeight }, avoid).style);
  }

  function attach(): void {
    if (!host) return;
    const after = anchor?.isConnected ? cardPosition(anchor) : null;
    // Never moved while focus is in it: moving would drop the focus (and reload its frames).
    const hasFocus = host.isConnected && document.activeElement === host;
    if (after) {
      if (!hasFocus && after.nextSibling !== host) moveAfter(host, after);
    } else if (!host.isConnected) {
      (document.body ?? document.documentElement).append(host);
    }
    if (typeof host.showPopover === 'function' && !host.matches(':popover-open')) {
      try {
        host.showPopover();
      } catch {
        // Could not enter the top layer: fall back to a plain fixed-position element.
        host.removeAttribute('popover');
      }
    }
    place();
  }

  /**
   * After an offer closed with focus in it: back to where focus was before the card, if that is
   * still there; else (say, Stripe disabled the button that revealed the key) to the key's field
   * when the key is in one.
   */
  function returnFocus(key: Element | null): void {
    const before = focusBefore?.isConnected ? focusBefore : null;
    const keyField = key?.isConnected && key.matches('input, textarea') ? key : null;
    const target = (before ?? keyField) as HTMLElement | null;
    target?.focus?.();
  }

  /** A popover the page closed (hidePopover, or moving it): not displayed until shown again. */
  const hiddenPopover = (element: HTMLElement) => element.hasAttribute('popover') && !element.matches(':popover-open');
  const onToggle = (event: Event) => {
    if ((event as ToggleEvent).newState === 'closed' && host === event.currentTarget) attach();
  };

  function teardown(): void {
    watchdog?.disconnect();
    watchdog = null;
    stopListening?.();
    stopListening = null;
    window.removeEventListener('resize', place);
    document.removeEventListener('focusin', onPageFocus, true);
    host?.removeEventListener('toggle', onToggle);
    host?.remove();
    host = null;
    stack = null;
    anchor = null;
    focusBefore = null;
  }

  function dismiss(slot: string, hadFocus: boolean): void {
    const closing = shown.find((entry) => entry.slot === slot);
    if (!closing) return;
    shown = shown.filter((entry) => entry !== closing);
    closing.frame.destroy();
    closing.frame.element.remove();
    if (hadFocus) returnFocus(closing.offer.anchor);
    if (shown.length === 0) teardown();
  }

  function onFrameEvent(message: FrameEvent): void {
    const entry = shown.find((candidate) => candidate.slot === message.slot);
    if (!entry) return;
    if (message.event === 'size') entry.frame.resize(message.height);
    else if (message.event === 'close') dismiss(entry.slot, message.hadFocus === true);
  }

  return {
    show(offer: KeyOffer) {
      if (shown.some((entry) => entry.offer.key === offer.key)) return;
      if (!host) {
        host = createHost();
        stopListening = deps.listen(onFrameEvent);
        window.addEventListener('resize', place, { passive: true });
        // Only the host's own presence is checked, once per batch of page changes, while a card is
        // open: taken out, it goes back; moved by the page, it is shown again (a popover taken out of
        // the document closes, and a closed one is not displayed).
        watchdog = new window.MutationObserver(() => {
          if (host && (!host.isConnected || hiddenPopover(host))) attach();
        });
        watchdog.observe(document, { childList: true, subtree: true });
      }
      const slot = `${nextSlot++}`;
      const frame = createCardFrame(document, slot, { register: (name) => deps.register(offer, name), frameUrl: deps.frameUrl }, () => dismiss(slot, false));
      shown = [...shown, { slot, offer, frame }];
      stack?.append(frame.element);
      anchor = offer.anchor;
      attach();
      // The dialog may still be animating in: place again once it has its final size.
      window.requestAnimationFrame(() => place());
    },
    clear() {
      for (const entry of [...shown]) dismiss(entry.slot, false);
    },
  };
}
