/**
 * The card isolated from the page, in a real Chromium with the built extension (send-world.ts): a
 * script on the Stripe page can neither read the card, nor steer its picker, nor click it, nor
 * talk to its frame; a person's click sends what the picker shows. Clickjacking: while a page
 * element covers the card or the page makes it see-through, Send is refused and the card says
 * why. And bad input: a page that removes or moves the card, navigates away while a Send is in
 * flight, or shows a second key while the card is open.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskKey } from '../../shared/keys.js';
import { NOT_SEEN_WHOLE } from '../../extension/card/seen-whole-notice.js';
import { focusedElement } from './accessibility.js';
import { DASHBOARD } from './dashboard.js';
import {
  UI_TIMEOUT,
  POPUP_VIEWPORT,
  stripe,
  backend,
  browser,
  dashboard,
  tab,
  applications,
  newKey,
  offerFor,
  offerCount,
  offerGone,
  chooseApplication,
  chosenApplication,
  backendRequests,
  api,
  useSendWorld,
  expectNoKeyAnywhere,
  pairInOptions,
  closeOffer,
  clickInCard,
} from './send-world.js';

useSendWorld();

beforeAll(async () => {
  await pairInOptions();
}, 60_000);

/** The key revealed on the keys page (loaded afresh unless `reload` is false), its card shown and ready. */
async function revealed(key: string, reload = true) {
  dashboard.keys.reveal = key;
  if (reload) await tab.goto(`${DASHBOARD}/test/apikeys`);
  await tab.getByRole('button', { name: 'Reveal test key' }).click();
  const card = await offerFor(tab, key);
  const send = card.getByRole('button', { name: 'Send to Serval' });
  await send.waitFor({ timeout: UI_TIMEOUT });
  return { card, send, picker: card.getByLabel('Application', { exact: true }) };
}

/** Waits until the backend has received one PUT since `since` (its request log), and returns every change since. */
async function changesSince(since: number): Promise<{ method: string; path: string }[]> {
  await expect
    .poll(
      () =>
        backendRequests()
          .slice(since)
          .filter((r) => r.method === 'PUT').length,
      { timeout: UI_TIMEOUT },
    )
    .toBeGreaterThan(0);
  return backendRequests()
    .slice(since)
    .filter((r) => r.method !== 'GET');
}

async function requestsSoFar(): Promise<number> {
  await backend.logWritten();
  return backendRequests().length;
}

/**
 * The extension's event listeners on the page's document and window, by type: those of the
 * isolated world the content script and the card host share (DevTools lists each world's own).
 */
async function extensionListeners(page: Page): Promise<Record<string, number>> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const worlds: { id: number; name: string; auxData?: { type?: string; isDefault?: boolean } }[] = [];
    cdp.on('Runtime.executionContextCreated', ({ context }) => worlds.push(context));
    await cdp.send('Runtime.enable'); // reports the contexts that exist
    const world = worlds.find((context) => context.auxData?.type === 'isolated' && context.name === 'Serval for Stripe');
    if (!world) throw new Error(`no content-script world among ${worlds.map((c) => c.name).join(', ')}`);
    const counts: Record<string, number> = {};
    for (const expression of ['document', 'window']) {
      const { result } = await cdp.send('Runtime.evaluate', { expression, contextId: world.id });
      const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
      for (const { type } of listeners) counts[`${expression}:${type}`] = (counts[`${expression}:${type}`] ?? 0) + 1;
    }
    return counts;
  } finally {
    await cdp.detach();
  }
}

describe('the card, out of the page’s reach', () => {
  it("a script on the Stripe page can neither read nor drive the card, nor talk to its frame; a person's click sends what the picker shows", async () => {
    const key = newKey({ type: 'restricted', mode: 'test' });
    const logged: string[] = [];
    const log = (message: { text(): string }) => logged.push(message.text());
    tab.on('console', log);
    const { card, send, picker } = await revealed(key);
    await chooseApplication(picker, 'Payouts');
    const before = await requestsSoFar();

    // The page's own script tries everything it can reach: the host's shadow root, the frames, the
    // frame's document, synthetic events on the host and at the card's place on screen, messages.
    const seen = await tab.evaluate((masked) => {
      const page = globalThis as any; // runs in the page (this project has no DOM types)
      const host = page.document.querySelector('serval-key-offer');
      const rect = host.getBoundingClientRect();
      // The frame sits in a closed shadow root: the page gets no window of it to read or post to.
      const framesReachable = page.frames.length;
      for (const type of ['pointerdown', 'mousedown', 'mouseup', 'click']) {
        const init = { bubbles: true, composed: true, clientX: rect.left + rect.width / 2, clientY: rect.bottom - 30 };
        host.dispatchEvent(new page.MouseEvent(type, init));
        page.document.elementFromPoint(init.clientX, init.clientY)?.dispatchEvent(new page.MouseEvent(type, init));
      }
      host.dispatchEvent(new page.KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
      return {
        shadowRoot: host.shadowRoot,
        hostText: host.textContent,
        hostHtml: host.innerHTML,
        pageText: page.document.documentElement.innerHTML.includes(masked),
        iframesInDocument: page.document.querySelectorAll('iframe').length,
        framesReachable,
      };
    }, maskKey(key));
    expect(seen.shadowRoot).toBeNull(); // closed
    expect(seen.hostText).toBe('');
    expect(seen.hostHtml).toBe('');
    expect(seen.pageText).toBe(false); // nothing of the card, not even the masked key
    expect(seen.iframesInDocument).toBe(0);
    expect(seen.framesReachable).toBe(0); // not in window.frames either: nothing to read, nothing to post to
    // Were a message to reach the card's window anyway (from any sender), the card has no ear for it.
    await card.evaluate(() => {
      const { postMessage, location } = globalThis as any;
      postMessage({ type: 'serval:card-frame', event: 'close', slot: '1' }, '*');
      postMessage({ type: 'serval:take-offer', data: { offerId: location.hash.slice(1) } }, '*');
      postMessage({ applicationId: 'Billing', send: true }, '*');
    });
    // None of that moved the card: still the offer, Payouts chosen, the card open.
    expect(await chosenApplication(picker)).toBe('Payouts');
    expect(await send.isEnabled()).toBe(true);

    // What is shown is what is sent: the picker shows Payouts, and a person's click sends there. It
    // goes the same way as anything the script could have started, after it: when the person's PUT
    // has arrived, a send the script started would have too, so the one PUT is the proof none did.
    await clickInCard(send);
    await card.getByText('Connected to Payouts', { exact: false }).waitFor({ timeout: UI_TIMEOUT });
    expect(await changesSince(before)).toEqual([{ method: 'PUT', path: `/api/applications/${applications.Payouts}/integrations/stripe` }]);
    expect((await api('GET', `/api/applications/${applications.Billing}/integrations/stripe`)).status).toBe(404);
    // The Send button is gone; keyboard focus moved to the verdict, inside the card, not to <body>.
    await expect
      .poll(() => focusedElement(tab), { timeout: UI_TIMEOUT })
      .toMatchObject({ host: 'serval-key-offer', role: 'status', text: expect.stringContaining('Connected to Payouts') });
    tab.off('console', log);
    expect(logged.filter((line) => line.includes(key))).toEqual([]); // the page and the card's frame logged no key
  });

  it('refuses Send while a page element covers the card, or the page makes it see-through, and says why; sends once it is seen whole (IntersectionObserver v2)', async () => {
    const key = newKey({ type: 'restricted', mode: 'test' });
    const { card, send, picker } = await revealed(key);
    await chooseApplication(picker, 'Ledger');
    const before = await requestsSoFar();
    const notice = card.getByText(NOT_SEEN_WHOLE);

    // A decoy over the card: the page's own top-layer element, which lets clicks through to it.
    await tab.evaluate(() => {
      const { document } = globalThis as any;
      const r = document.querySelector('serval-key-offer').getBoundingClientRect();
      const decoy = document.createElement('div');
      decoy.id = 'decoy';
      decoy.setAttribute('popover', 'manual');
      decoy.textContent = 'Claim your reward';
      decoy.style.cssText = `position:fixed;inset:auto;left:${r.left}px;top:${r.top}px;width:${r.width}px;height:${r.height}px;margin:0;padding:0;border:0;pointer-events:none;background:#fff`;
      document.body.append(decoy);
      decoy.showPopover();
    });
    await notice.waitFor({ timeout: UI_TIMEOUT });
    await clickInCard(send); // a person's click, through the decoy: refused
    expect(await notice.isVisible()).toBe(true);
    expect(await send.isEnabled()).toBe(true);
    await tab.evaluate(() => (globalThis as any).document.getElementById('decoy').remove());
    await notice.waitFor({ state: 'detached', timeout: UI_TIMEOUT });

    // See-through: the page turns the card's host nearly transparent.
    const opacity = (value: string) =>
      tab.evaluate((v) => (globalThis as any).document.querySelector('serval-key-offer').style.setProperty('opacity', v, 'important'), value);
    await opacity('0.1');
    await notice.waitFor({ timeout: UI_TIMEOUT });
    await clickInCard(send); // refused
    expect(await notice.isVisible()).toBe(true);
    await opacity('1');
    await notice.waitFor({ state: 'detached', timeout: UI_TIMEOUT });

    // Seen whole again: the person's click sends, to the application shown. The two refused
    // clicks went nowhere: the one PUT that reached the backend is this one.
    await clickInCard(send);
    await card.getByText('Connected to Ledger', { exact: false }).waitFor({ timeout: UI_TIMEOUT });
    expect(await changesSince(before)).toEqual([{ method: 'PUT', path: `/api/applications/${applications.Ledger}/integrations/stripe` }]);
  });
});

describe('bad input from the page', () => {
  it('a page that removes or moves the card: it comes back as a fresh offer and still sends; closed, it goes away with every listener it added', async () => {
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    // The content script's own listeners, once it watches the page: what must be left in the end.
    await expect.poll(async () => (await extensionListeners(tab))['document:selectionchange'] ?? 0, { timeout: UI_TIMEOUT }).toBe(1);
    const without = await extensionListeners(tab);
    const key = newKey({ type: 'restricted', mode: 'test' });
    await revealed(key, false);
    const withCard = await extensionListeners(tab);
    expect(withCard['window:resize']).toBe(1); // the card host's
    expect(withCard['document:focusin']).toBe((without['document:focusin'] ?? 0) + 1);
    const host = () => tab.evaluate(() => (globalThis as any).document.querySelectorAll('serval-key-offer').length);

    // Taken out: the card puts itself back, and its frame, reloaded with its id spent, is replaced.
    await tab.evaluate(() => (globalThis as any).document.querySelector('serval-key-offer').remove());
    let card = await offerFor(tab, key);
    await card.getByRole('button', { name: 'Send to Serval' }).waitFor({ timeout: UI_TIMEOUT });
    expect(await host()).toBe(1);
    // Moved elsewhere by the page: the frame reloads there, and comes back the same way.
    await tab.evaluate(() => {
      const { document } = globalThis as any;
      document.querySelector('main').prepend(document.querySelector('serval-key-offer'));
    });
    await expect.poll(() => offerCount(tab), { timeout: UI_TIMEOUT }).toBe(1);
    card = await offerFor(tab, key);
    expect(await host()).toBe(1);

    const before = await requestsSoFar();
    await chooseApplication(card.getByLabel('Application', { exact: true }), 'Billing');
    await clickInCard(card.getByRole('button', { name: 'Send to Serval' }));
    await card.getByText('Connected to Billing', { exact: false }).waitFor({ timeout: UI_TIMEOUT });
    expect(await changesSince(before)).toEqual([{ method: 'PUT', path: `/api/applications/${applications.Billing}/integrations/stripe` }]);

    await closeOffer(card);
    await offerGone(tab, key);
    expect(await host()).toBe(0);
    expect(await extensionListeners(tab)).toEqual(without);
  });

  it('a page that navigates while a Send is in flight: the verdict is kept, and the popup shows it', async () => {
    const key = newKey({ type: 'restricted', mode: 'test' });
    const { send, picker } = await revealed(key);
    await chooseApplication(picker, 'Ledger');
    const asked = stripe.requests.length;
    const release = stripe.hold(); // Stripe answers the check only when the page has gone
    try {
      await clickInCard(send);
      await expect.poll(() => stripe.requests.length, { timeout: UI_TIMEOUT }).toBeGreaterThan(asked); // in flight
      await tab.goto(`${DASHBOARD}/test/payments`);
      await offerGone(tab, key);
    } finally {
      release();
    }
    await expect
      .poll(async () => (await api('GET', `/api/applications/${applications.Ledger}/integrations/stripe`)).body.integration?.maskedKey, { timeout: UI_TIMEOUT })
      .toBe(maskKey(key));
    const popup = await browser.openExtensionPage('popup.html', POPUP_VIEWPORT);
    const ledger = popup.getByRole('listitem').filter({ hasText: 'Ledger' });
    await ledger.getByText(maskKey(key)).waitFor({ timeout: UI_TIMEOUT });
    await ledger.getByText('Connected', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await popup.close();
  });

  it('a second key revealed while the card is open: a second offer beside the first', async () => {
    const first = newKey({ type: 'restricted', mode: 'test' });
    await revealed(first);
    const second = newKey({ type: 'secret', mode: 'test' });
    dashboard.keys.restricted = second;
    await tab.getByRole('button', { name: 'Create restricted key' }).click();
    const modal = tab.getByRole('dialog', { name: 'Create restricted key' });
    await modal.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => modal.getByLabel('Serval', { exact: true }).inputValue(), { timeout: UI_TIMEOUT }).toBe(second);
    await modal.locator('footer').getByRole('button', { name: 'Copy' }).hover();
    await offerFor(tab, second);
    await offerFor(tab, first);
    expect(await offerCount(tab)).toBe(2);
  });

  it('after everything, neither extension storage nor the backend holds a key', async () => {
    await expectNoKeyAnywhere();
  });
});
