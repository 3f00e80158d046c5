/** The card on the page: its closed-shadow host, the card's frames in it, where it goes, and that it does not get lost. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CARD_HOST_TAG, type CardApi, type KeyOffer } from '../../extension/card/card-api';
import { cardPosition, cardShadowRoot, createCardApi, type CardHostDeps, type FrameEvent } from '../../extension/card/mount';
import { placeCard, CARD_HEIGHT, CARD_WIDTH, MARGIN } from '../../extension/card/placement';
import { RESTRICTED_LIVE, RESTRICTED_TEST } from './fixtures';

/** A Stripe-like modal with the input that shows the new key. */
function openDialogWithField() {
  const dialog = document.createElement('div');
  dialog.setAttribute('role', 'dialog');
  const field = document.createElement('input');
  dialog.append(field);
  document.getElementById('modal-root')!.append(dialog);
  return { dialog, field };
}

const offer = (key: string, anchor: Element | null): KeyOffer => ({ key, anchor, page: null });

const host = () => document.querySelector(CARD_HOST_TAG) as HTMLElement | null;
const frames = () => [...(cardShadowRoot(host()!)?.querySelectorAll('iframe') ?? [])];
const changesDelivered = () => new Promise((resolve) => setTimeout(resolve, 0));

let api: CardApi;
let deps: CardHostDeps & { register: ReturnType<typeof vi.fn> };
/** What the card's frames would say to the host. */
let fromFrame: (message: FrameEvent) => void;
beforeEach(() => {
  document.body.innerHTML = '<main><code id="token"></code></main><div id="modal-root"></div>';
  let ids = 0;
  deps = {
    register: vi.fn(async () => `offer${++ids}`),
    frameUrl: (offerId) => `about:blank#${offerId}`,
    listen(handler) {
      fromFrame = handler;
      return () => undefined;
    },
  };
  api = createCardApi(document, deps);
});
afterEach(() => api.clear());

describe('the card host', () => {
  it("is a <serval-key-offer> with a closed shadow root holding the card's frame; the page sees no key", async () => {
    api.show(offer(RESTRICTED_TEST, document.getElementById('token')));
    expect(host()).not.toBeNull();
    expect(host()!.shadowRoot).toBeNull();
    expect(deps.register).toHaveBeenCalledWith(expect.objectContaining({ key: RESTRICTED_TEST }), '1');
    await vi.waitFor(() => expect(frames()[0]?.getAttribute('src')).toBe('about:blank#offer1'));
    expect(frames()[0].title).toBe('Serval');
    expect(host()!.textContent).toBe('');
    expect(document.documentElement.outerHTML).not.toContain(RESTRICTED_TEST);
    expect(host()!.style.getPropertyValue('position')).toBe('fixed');
  });

  it("follows the card's height, and leaves when a frame's offer could not be handed over", async () => {
    api.show(offer(RESTRICTED_TEST, null));
    await vi.waitFor(() => expect(frames()[0]?.getAttribute('src')).toBeTruthy());
    expect(frames()[0].style.getPropertyValue('height')).toBe('0px');
    fromFrame({ slot: '1', event: 'size', height: 312.4 });
    expect(frames()[0].style.getPropertyValue('height')).toBe('313px');
    fromFrame({ slot: '9', event: 'size', height: 5 }); // no such frame
    api.clear();
    deps.register.mockResolvedValueOnce(null);
    api.show(offer(RESTRICTED_LIVE, null));
    await vi.waitFor(() => expect(host()).toBeNull());
  });

  it('goes inside the dialog that shows the key (so a modal does not lock it out), at a corner clear of it', () => {
    const { dialog, field } = openDialogWithField();
    api.show(offer(RESTRICTED_TEST, field));
    expect(host()!.parentElement).toBe(dialog);
    expect(field.nextElementSibling).toBe(host());
  });

  it('comes right after the key in the DOM, so that it is the next stop in the tab order', () => {
    document.body.innerHTML = `
      <div role="dialog"><label for="k">Serval</label><input id="k"><footer><button>Copy</button><button>Done</button></footer></div>`;
    const field = document.getElementById('k')!;
    api.show(offer(RESTRICTED_TEST, field));
    expect(field.nextElementSibling).toBe(host());
    expect(host()!.nextElementSibling!.localName).toBe('footer'); // before Stripe's Copy and Done
  });

  it('never sits inside a link, a button or a label, nor among list items or table rows', () => {
    document.body.innerHTML = `
      <main>
        <p><label id="label">Key <code id="in-label"></code></label></p>
        <p><button id="button"><span id="in-button"></span></button></p>
        <ul id="list"><li id="item"></li></ul>
        <table id="table"><tbody><tr id="row"><td id="cell"><code id="in-cell"></code></td></tr></tbody></table>
      </main>`;
    const byId = (id: string) => document.getElementById(id)!;
    expect(cardPosition(byId('in-label'))).toBe(byId('label'));
    expect(cardPosition(byId('in-button'))).toBe(byId('button'));
    expect(cardPosition(byId('item'))).toBe(byId('list'));
    expect(cardPosition(byId('row'))).toBe(byId('table'));
    expect(cardPosition(byId('in-cell'))).toBe(byId('in-cell')); // a table cell may hold anything
    expect(cardPosition(document.body)).toBeNull();

    api.show(offer(RESTRICTED_TEST, byId('in-button')));
    expect(byId('button').nextElementSibling).toBe(host());
  });

  it('shows each key once, stacks different keys, and leaves when the last one closes', async () => {
    api.show(offer(RESTRICTED_TEST, null));
    api.show(offer(RESTRICTED_TEST, null));
    api.show(offer(RESTRICTED_LIVE, null));
    expect(document.querySelectorAll(CARD_HOST_TAG)).toHaveLength(1);
    await changesDelivered(); // each frame is made once its id is there
    expect(frames()).toHaveLength(2);
    fromFrame({ slot: '1', event: 'close', hadFocus: false });
    expect(frames()).toHaveLength(1);
    fromFrame({ slot: '2', event: 'close', hadFocus: false });
    expect(host()).toBeNull();
  });

  it('moves to <body> rather than vanish when the dialog it was in goes away', async () => {
    const { field } = openDialogWithField();
    api.show(offer(RESTRICTED_TEST, field));
    document.getElementById('modal-root')!.replaceChildren();
    await changesDelivered();
    expect(host()!.parentElement).toBe(document.body);
    expect(frames()).toHaveLength(1);
  });

  it('puts a fresh frame with a new id in place of one the page reloaded (by moving the card), once', async () => {
    api.show(offer(RESTRICTED_TEST, null));
    await vi.waitFor(() => expect(frames()[0]?.getAttribute('src')).toBe('about:blank#offer1'));
    const first = frames()[0];
    first.dispatchEvent(new Event('load')); // its own navigation (happy-dom loads no frame: as the browser would)
    await changesDelivered();
    expect(deps.register).toHaveBeenCalledTimes(1);
    fromFrame({ slot: '1', event: 'size', height: 200 });
    first.dispatchEvent(new Event('load')); // again: the page moved it, and its id is spent
    first.dispatchEvent(new Event('load')); // and again while the new id is on its way: still one new frame
    expect(first.style.getPropertyValue('height')).toBe('0px');
    await vi.waitFor(() => expect(frames()[0]?.getAttribute('src')).toBe('about:blank#offer2'));
    expect(frames()).toHaveLength(1);
    expect(first.isConnected).toBe(false);
    expect(deps.register).toHaveBeenCalledTimes(2);
    frames()[0].dispatchEvent(new Event('load')); // the fresh frame's own load
    await changesDelivered();
    expect(deps.register).toHaveBeenCalledTimes(2);
    fromFrame({ slot: '1', event: 'size', height: 120 });
    expect(frames()[0].style.getPropertyValue('height')).toBe('120px');
  });
});

describe('focus when an offer closes', () => {
  function pageWithKeyField() {
    document.body.innerHTML = `
      <button id="before">Create restricted key</button>
      <div role="dialog"><input id="key" readonly><footer><button id="copy">Copy</button></footer></div>`;
    return { before: document.getElementById('before')!, field: document.getElementById('key')!, copy: document.getElementById('copy')! };
  }

  it('goes back to the page element that had it before the card, when the card had it', async () => {
    const { copy, field } = pageWithKeyField();
    api.show(offer(RESTRICTED_TEST, field));
    await changesDelivered();
    copy.focus();
    frames()[0].focus(); // into the card
    fromFrame({ slot: '1', event: 'close', hadFocus: true });
    expect(host()).toBeNull();
    expect(document.activeElement).toBe(copy);
  });

  it("goes to the key's field when nothing on the page had focus before the card", () => {
    const { field } = pageWithKeyField();
    api.show(offer(RESTRICTED_TEST, field));
    fromFrame({ slot: '1', event: 'close', hadFocus: true });
    expect(document.activeElement).toBe(field);
  });

  it('leaves focus alone when it was not in the card', () => {
    const { before, copy, field } = pageWithKeyField();
    api.show(offer(RESTRICTED_TEST, field));
    before.focus();
    copy.focus(); // the person moved on
    fromFrame({ slot: '1', event: 'close', hadFocus: false });
    expect(document.activeElement).toBe(copy);
  });

  it('with several offers, closing one gives focus back too, and the card does not move while focus is in it', async () => {
    const { before, field } = pageWithKeyField();
    const other = document.body.appendChild(document.createElement('code'));
    api.show(offer(RESTRICTED_TEST, field));
    await changesDelivered();
    before.focus();
    frames()[0].focus();
    api.show(offer(RESTRICTED_LIVE, other)); // a second key while the person is in the card
    await changesDelivered();
    expect(frames()).toHaveLength(2);
    fromFrame({ slot: '1', event: 'close', hadFocus: true });
    expect(frames()).toHaveLength(1);
    expect(document.activeElement).toBe(before);
  });
});

describe('placeCard', () => {
  const viewport = { width: 1280, height: 800 };

  it('uses the bottom-right corner when nothing is in the way', () => {
    expect(placeCard(viewport, null)).toEqual({ corner: 'bottom-right', style: { top: 'auto', bottom: '16px', left: 'auto', right: '16px' } });
  });

  it('keeps clear of a centred dialog when the viewport is wide enough', () => {
    const dialog = { left: 400, right: 880, top: 200, bottom: 600 };
    const { corner } = placeCard(viewport, dialog);
    expect(corner).toBe('bottom-right');
    const wideDialog = { left: 200, right: 1200, top: 100, bottom: 700 };
    expect(placeCard(viewport, wideDialog).corner).toBe('bottom-right'); // nothing is clear: fall back
    const rightPanel = { left: 800, right: 1280, top: 0, bottom: 800 };
    expect(placeCard(viewport, rightPanel).corner).toBe('bottom-left');
  });

  it('never places the card over the dialog when some corner is clear', () => {
    const dialog = { left: 900, right: 1280, top: 300, bottom: 800 };
    const { style } = placeCard(viewport, dialog);
    const left = style.left === 'auto' ? viewport.width - MARGIN - CARD_WIDTH : MARGIN;
    const top = style.top === 'auto' ? viewport.height - MARGIN - CARD_HEIGHT : MARGIN;
    const overlaps = left < dialog.right && dialog.left < left + CARD_WIDTH && top < dialog.bottom && dialog.top < top + CARD_HEIGHT;
    expect(overlaps).toBe(false);
  });
});
