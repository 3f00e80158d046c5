/** The card on the page: its shadow-rooted host, where it goes, and that it does not get lost. */
import { fireEvent, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CARD_HOST_TAG, type CardApi, type KeyOffer } from '../../extension/card/card-api';
import type { CardClient } from '../../extension/card/card-client';
import { cardPosition, createCardApi } from '../../extension/card/mount';
import { placeCard, CARD_HEIGHT, CARD_WIDTH, MARGIN } from '../../extension/card/placement';
import { application, RESTRICTED_LIVE, RESTRICTED_TEST } from './fixtures';

const client: CardClient = {
  listApplications: async () => ({ ok: true, data: { applications: [application()], defaultApplicationId: null, person: null } }),
  createApplication: async () => ({ ok: false, error: { code: 'x', message: 'x' } }),
  sendKey: async () => ({ ok: false, error: { code: 'x', message: 'x' } }),
  rotateKey: async () => ({ ok: false, error: { code: 'x', message: 'x' } }),
  openOptions: async () => ({ ok: true, data: null }),
};

/** A Stripe-like modal with the input that shows the new key. */
function openDialogWithField() {
  const dialog = document.createElement('div');
  dialog.setAttribute('role', 'dialog');
  const field = document.createElement('input');
  dialog.append(field);
  document.getElementById('modal-root')!.append(dialog);
  return { dialog, field };
}

const offer = (key: string, anchor: Element | null): KeyOffer => ({
  key,
  keyType: 'restricted',
  mode: key.startsWith('rk_live') ? 'live' : 'test',
  maskedKey: `${key.slice(0, 8)}…${key.slice(-4)}`,
  anchor,
  page: null,
});

const host = () => document.querySelector(CARD_HOST_TAG) as HTMLElement | null;
const inCard = () => within(host()!.shadowRoot as unknown as HTMLElement);
const changesDelivered = () => new Promise((resolve) => setTimeout(resolve, 0));

let api: CardApi;
beforeEach(() => {
  document.body.innerHTML = '<main><code id="token"></code></main><div id="modal-root"></div>';
  api = createCardApi(document, client);
});
afterEach(() => api.clear());

describe('the card host', () => {
  it('is a <serval-key-offer> with an open shadow root holding the card; the page sees no key', async () => {
    api.show(offer(RESTRICTED_TEST, document.getElementById('token')));
    expect(host()).not.toBeNull();
    expect(host()!.shadowRoot?.mode).toBe('open');
    expect(await inCard().findByRole('button', { name: 'Send to Serval' })).toBeTruthy();
    expect(inCard().getByRole('combobox', { name: 'Application' })).toBeTruthy();
    expect(host()!.textContent).toBe('');
    expect(host()!.shadowRoot!.innerHTML).not.toContain(RESTRICTED_TEST);
    expect(host()!.style.getPropertyValue('position')).toBe('fixed');
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

  it('shows each key once, stacks different keys, and leaves when the last one is dismissed', async () => {
    api.show(offer(RESTRICTED_TEST, null));
    api.show(offer(RESTRICTED_TEST, null));
    api.show(offer(RESTRICTED_LIVE, null));
    expect(document.querySelectorAll(CARD_HOST_TAG)).toHaveLength(1);
    expect(await inCard().findAllByRole('button', { name: 'Close' })).toHaveLength(2);
    inCard().getAllByRole('button', { name: 'Close' })[0].click();
    await vi.waitFor(() => expect(inCard().getAllByRole('button', { name: 'Close' })).toHaveLength(1));
    inCard().getByRole('button', { name: 'Close' }).click();
    await vi.waitFor(() => expect(host()).toBeNull());
  });

  it('moves to <body> rather than vanish when the dialog it was in goes away', async () => {
    const { field } = openDialogWithField();
    api.show(offer(RESTRICTED_TEST, field));
    document.getElementById('modal-root')!.replaceChildren();
    await changesDelivered();
    expect(host()!.parentElement).toBe(document.body);
    expect(await inCard().findByRole('button', { name: 'Send to Serval' })).toBeTruthy();
  });
});

describe('focus when an offer closes', () => {
  function pageWithKeyField() {
    document.body.innerHTML = `
      <button id="before">Create restricted key</button>
      <div role="dialog"><input id="key" readonly><footer><button id="copy">Copy</button></footer></div>`;
    return { before: document.getElementById('before')!, field: document.getElementById('key')!, copy: document.getElementById('copy')! };
  }
  const focusInCard = (name: string) => (inCard().getByRole('button', { name }) as HTMLElement).focus();

  it('goes back to the element that had it before the card, after Close', async () => {
    const { copy, field } = pageWithKeyField();
    api.show(offer(RESTRICTED_TEST, field));
    await inCard().findByRole('button', { name: 'Send to Serval' });
    copy.focus();
    focusInCard('Close');
    expect(document.activeElement).toBe(host());
    inCard().getByRole('button', { name: 'Close' }).click();
    expect(host()).toBeNull();
    expect(document.activeElement).toBe(copy);
  });

  it('goes back to the element that had it, after Escape, also when focus moved around in the card meanwhile', async () => {
    const { before, field } = pageWithKeyField();
    api.show(offer(RESTRICTED_TEST, field));
    const picker = await inCard().findByRole('combobox', { name: 'Application' });
    before.focus();
    focusInCard('Close');
    (picker as HTMLElement).focus(); // within the card: not "the element that had it"
    fireEvent.keyDown(picker, { key: 'Escape' });
    expect(host()).toBeNull();
    expect(document.activeElement).toBe(before);
  });

  it("goes to the key's field when nothing had focus before the card", async () => {
    const { field } = pageWithKeyField();
    api.show(offer(RESTRICTED_TEST, field));
    await inCard().findByRole('button', { name: 'Send to Serval' });
    focusInCard('Close');
    inCard().getByRole('button', { name: 'Close' }).click();
    expect(document.activeElement).toBe(field);
  });

  it('leaves focus alone when it was not in the card', async () => {
    const { before, copy, field } = pageWithKeyField();
    api.show(offer(RESTRICTED_TEST, field));
    await inCard().findByRole('button', { name: 'Send to Serval' });
    before.focus();
    focusInCard('Close');
    copy.focus(); // the person moved on
    api.clear();
    expect(document.activeElement).toBe(copy);
  });

  it('with several offers, closing one gives focus back too, and the card does not move while focus is in it', async () => {
    const { before, field } = pageWithKeyField();
    const other = document.body.appendChild(document.createElement('code'));
    api.show(offer(RESTRICTED_TEST, field));
    await inCard().findByRole('button', { name: 'Send to Serval' });
    before.focus();
    focusInCard('Close');
    api.show(offer(RESTRICTED_LIVE, other)); // a second key while the person is in the card
    expect(field.nextElementSibling).toBe(host());
    expect(document.activeElement).toBe(host());
    await vi.waitFor(() => expect(inCard().getAllByRole('button', { name: 'Close' })).toHaveLength(2));
    inCard().getAllByRole('button', { name: 'Close' })[0].click();
    expect(inCard().getAllByRole('button', { name: 'Close' })).toHaveLength(1);
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
