/**
 * The card on the page: a `<serval-key-offer>` element with an open shadow root, holding one
 * offer per revealed key.
 *
 * Where it lives in the DOM: right after the key (cardPosition), so that it is next in the tab
 * order — one Tab from the key's field — and inside the dialog that shows the key when there is
 * one (so a modal dialog's focus trap and `inert` do not lock it out). Where it shows: as a manual
 * popover where supported, so it sits in the top layer, above the dialog, at a viewport corner
 * clear of the dialog (placement.ts); it never takes part in the page's layout, so nothing of
 * Stripe's moves. If the key goes away while an offer is still open (a send in flight, a verdict
 * to read), the card moves to the end of <body> rather than vanish.
 *
 * Focus: when an offer is closed (its ×, Close this offer, Escape) while focus is in the card,
 * focus goes back to the element that had it before it entered the card.
 */
import { h, render } from 'preact';
import { adoptStyles } from '../../ui/adopt-styles';
import { CARD_HOST_TAG, type CardApi, type KeyOffer } from './card-api';
import type { CardClient } from './card-client';
import { CARD_CSS } from './card-styles';
import { OfferStack, type ShownOffer } from './OfferStack';
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

export function createCardApi(document: Document, client: CardClient): CardApi {
  const window = document.defaultView!;
  let host: HTMLElement | null = null;
  let container: HTMLElement | null = null;
  let shown: ShownOffer[] = [];
  let nextId = 1;
  let anchor: Element | null = null;
  let watchdog: MutationObserver | null = null;
  /** Where focus was before it entered the card: it goes back there when an offer is closed. */
  let focusBefore: Element | null = null;

  const setImportant = (element: HTMLElement, properties: Record<string, string>) => {
    for (const [name, value] of Object.entries(properties)) element.style.setProperty(name, value, 'important');
  };

  function createHost(): HTMLElement {
    const element = document.createElement(CARD_HOST_TAG);
    // Inline styles through the CSSOM: not subject to the page's style-src CSP.
    setImportant(element, {
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
    });
    // A focus move from the page names the page's element; one within the card names the host
    // (or, unretargeted, the card's own element). From nowhere (null: focus had dropped to <body>,
    // as when a focused button is disabled during a send), the element remembered before stays.
    element.addEventListener('focusin', (event) => {
      const from = (event as FocusEvent).relatedTarget;
      const fromCard = from === element || (from instanceof window.Node && element.shadowRoot?.contains(from));
      if (from instanceof window.Element && !fromCard) focusBefore = from;
    });
    const shadow = element.attachShadow({ mode: 'open' });
    adoptStyles(shadow, CARD_CSS);
    container = document.createElement('div');
    shadow.append(container);
    if (typeof element.showPopover === 'function') element.setAttribute('popover', 'manual');
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
    // Never moved while focus is in it: moving would drop the focus.
    const hasFocus = host.isConnected && document.activeElement === host;
    if (after) {
      if (!hasFocus && after.nextSibling !== host) after.after(host);
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

  function rerender(): void {
    if (!container) return;
    render(h(OfferStack, { offers: shown, client, onDismiss: dismiss }), container);
  }

  /**
   * After an offer closed with focus in it: back to where focus was before the card, if that is
   * still there; else, when nothing had focus (say, Stripe disabled the button that revealed the
   * key), to the key's field when the key is in one.
   */
  function returnFocus(key: Element | null): void {
    const before = focusBefore?.isConnected ? focusBefore : null;
    const keyField = key?.isConnected && key.matches('input, textarea') ? key : null;
    focusBefore = null;
    const target = (before ?? keyField) as HTMLElement | null;
    target?.focus?.();
  }

  function dismiss(id: number): void {
    const hadFocus = host !== null && document.activeElement === host;
    const closing = shown.find((entry) => entry.id === id);
    shown = shown.filter((entry) => entry.id !== id);
    if (shown.length > 0) {
      rerender();
      if (hadFocus && document.activeElement !== host) returnFocus(closing?.offer.anchor ?? null);
      return;
    }
    if (container) render(null, container);
    watchdog?.disconnect();
    watchdog = null;
    window.removeEventListener('resize', place);
    host?.remove();
    host = null;
    container = null;
    anchor = null;
    if (hadFocus) returnFocus(closing?.offer.anchor ?? null);
    focusBefore = null;
  }

  return {
    show(offer: KeyOffer) {
      if (shown.some((entry) => entry.offer.key === offer.key)) return;
      shown = [...shown, { id: nextId++, offer }];
      anchor = offer.anchor;
      if (!host) {
        host = createHost();
        window.addEventListener('resize', place, { passive: true });
        // Only the host's own presence is checked, once per batch of page changes, while a card is open.
        watchdog = new window.MutationObserver(() => {
          if (host && !host.isConnected) attach();
        });
        watchdog.observe(document, { childList: true, subtree: true });
      }
      attach();
      rerender();
      // The dialog may still be animating in: place again once it has its final size.
      window.requestAnimationFrame(() => place());
    },
    clear() {
      for (const entry of [...shown]) dismiss(entry.id);
    },
  };
}
