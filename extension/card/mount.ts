/**
 * The card on the page: a `<serval-key-offer>` element with an open shadow root, holding one
 * offer per revealed key.
 *
 * Where it lives: inside the dialog that shows the key when there is one (so a modal dialog's
 * focus trap and `inert` do not lock it out), otherwise in <body>; shown as a manual popover
 * where supported, so it sits in the top layer, above the dialog, at a viewport corner clear of
 * the dialog (placement.ts). It never sits inside the dialog's layout, so nothing of Stripe's moves.
 * If the dialog goes away while an offer is still open (a send in flight, a verdict to read), the
 * card moves to <body> rather than vanish.
 */
import { h, render } from 'preact';
import { CARD_HOST_TAG, type CardApi, type KeyOffer } from './card-api';
import type { CardClient } from './card-client';
import { CARD_CSS } from './card-styles';
import { OfferStack, type ShownOffer } from './OfferStack';
import { placeCard, type Rect } from './placement';

const DIALOG_SELECTOR = 'dialog, [role="dialog"], [role="alertdialog"], [aria-modal="true"]';

function adoptStyles(document: Document, shadow: ShadowRoot): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CARD_CSS);
    shadow.adoptedStyleSheets = [sheet];
    return;
  } catch {
    // Constructable stylesheets can fail across worlds (Firefox's content-script wrappers).
  }
  const style = document.createElement('style');
  style.textContent = CARD_CSS;
  shadow.append(style);
}

export function createCardApi(document: Document, client: CardClient): CardApi {
  const window = document.defaultView!;
  let host: HTMLElement | null = null;
  let container: HTMLElement | null = null;
  let shown: ShownOffer[] = [];
  let nextId = 1;
  let anchor: Element | null = null;
  let watchdog: MutationObserver | null = null;

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
    const shadow = element.attachShadow({ mode: 'open' });
    adoptStyles(document, shadow);
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
    const parent = anchorDialog() ?? document.body ?? document.documentElement;
    if (host.parentNode !== parent) parent.append(host);
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

  function dismiss(id: number): void {
    shown = shown.filter((entry) => entry.id !== id);
    if (shown.length > 0) {
      rerender();
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
