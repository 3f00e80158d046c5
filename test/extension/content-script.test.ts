/**
 * The content script in place: which pages it watches, following in-app navigation, loading
 * the card only when a key shows up, offering each key once per page.
 */
import { within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { CARD_HOST_TAG } from '../../extension/card/card-api';
import { createOfferController } from '../../extension/content/offer-controller';
import { OFFER_AGAIN } from '../../extension/messaging/protocol';
import { afterContentScriptSaw, resetDashboard, startDashboard, tearDownDashboard } from './dashboard-harness';
import { application, body99, PUBLISHABLE_LIVE, RESTRICTED_LIVE, RESTRICTED_TEST, SECRET_TEST } from './fixtures';

const host = () => document.querySelector(CARD_HOST_TAG) as HTMLElement | null;
/** The card's frames, as the harness renders them (happy-dom loads no frame). */
const inCard = () => within(document.getElementById('card-frames')!);
/** The masked keys the card offers, in order. */
const offeredKeys = () =>
  [...(document.getElementById('card-frames')?.querySelectorAll('section[aria-label]') ?? [])].map(
    (offer) => /\((.*)\)$/.exec(offer.getAttribute('aria-label')!)![1],
  );

let stop: (() => void) | null = null;
beforeEach(() => resetDashboard('<main id="main"></main>'));
afterEach(() => {
  tearDownDashboard(stop);
  stop = null;
});

function reveal(key: string) {
  const code = document.createElement('code');
  code.textContent = key;
  document.getElementById('main')!.append(code);
  return code;
}

describe('the content script', () => {
  it('loads the card only once a key shows up, then offers it', async () => {
    const dashboard = await startDashboard('https://dashboard.stripe.com/test/apikeys', { applications: [application()] });
    stop = dashboard.stop;
    await dashboard.pair();
    await afterContentScriptSaw(() => {
      reveal(PUBLISHABLE_LIVE);
      reveal('sk_test_••••••••••••••••••••••••4242');
    });
    expect(dashboard.loadCardRequests()).toHaveLength(0);

    reveal(RESTRICTED_TEST);
    await vi.waitFor(() => expect(offeredKeys()).toContain('rk_test_…8Hn0'));
    expect(offeredKeys()).toEqual(['rk_test_…8Hn0']);
    expect(dashboard.loadCardRequests()).toHaveLength(1);
    expect(dashboard.executeScript).toHaveBeenCalledTimes(1);
    expect(dashboard.executeScript).toHaveBeenCalledWith({ target: { tabId: 7, frameIds: [0] }, files: ['/card-host.js'] });
    expect(await inCard().findByRole('button', { name: 'Send to Serval' })).toBeTruthy();
  });

  it('offers a key found at load, and a second key in the same card, with one injection', async () => {
    reveal(SECRET_TEST);
    const dashboard = await startDashboard('https://dashboard.stripe.com/acct_1Abc/test/apikeys');
    stop = dashboard.stop;
    await vi.waitFor(() => expect(host()).not.toBeNull());
    reveal(RESTRICTED_LIVE);
    await vi.waitFor(() => expect(inCard().getAllByRole('button', { name: 'Close' })).toHaveLength(2));
    expect(dashboard.executeScript).toHaveBeenCalledTimes(1);
  });

  it('stays quiet on other dashboard pages and starts when the app navigates to API keys', async () => {
    const dashboard = await startDashboard('https://dashboard.stripe.com/test/payments');
    stop = dashboard.stop;
    await afterContentScriptSaw(() => reveal(SECRET_TEST));
    expect(dashboard.loadCardRequests()).toHaveLength(0);
    expect(host()).toBeNull();
    history.pushState({}, '', '/test/apikeys');
    // Without the Navigation API (happy-dom), WXT notices the new URL within a second.
    await vi.waitFor(() => expect(host()).not.toBeNull(), { timeout: 3000 });
  });

  it('does not offer a dismissed key again, until asked to from the popup', async () => {
    const dashboard = await startDashboard('https://dashboard.stripe.com/test/apikeys');
    stop = dashboard.stop;
    const token = reveal(SECRET_TEST);
    await vi.waitFor(() => expect(host()).not.toBeNull());
    (await inCard().findByRole('button', { name: 'Close' })).click();
    await vi.waitFor(() => expect(host()).toBeNull());
    token.textContent = 'sk_test_••••4242';
    token.textContent = SECRET_TEST; // shown again on the same page
    // A new key after it: offered through the same path, so the dismissed key, had it been
    // offered again, would be on the card before it.
    reveal(RESTRICTED_TEST);
    await vi.waitFor(() => expect(offeredKeys()).toContain('rk_test_…8Hn0'));
    expect(offeredKeys()).toEqual(['rk_test_…8Hn0']);

    // What the popup's "Offer keys on this page again" sends to the tab.
    const answers = await fakeBrowser.runtime.onMessage.trigger({ type: OFFER_AGAIN }, {}, undefined as never);
    expect(answers).toContainEqual({ offered: 2 });
    await vi.waitFor(() => expect(offeredKeys()).toEqual(['rk_test_…8Hn0', 'sk_test_…8Hn0']));
  });

  it('stops watching when the extension goes away (context invalidated)', async () => {
    const dashboard = await startDashboard('https://dashboard.stripe.com/test/apikeys');
    dashboard.stop();
    await afterContentScriptSaw(() => reveal(SECRET_TEST));
    expect(dashboard.loadCardRequests()).toHaveLength(0);
    expect(host()).toBeNull();
  });
});

describe('the offer controller', () => {
  const found = (key: string) => [{ key, element: document.body }];

  it('offers each key once per page, the key and where it is only, an organization key too', async () => {
    const show = vi.fn();
    const loadCard = vi.fn(async () => ({ show, clear: vi.fn() }));
    const offers = createOfferController({ loadCard, currentPage: () => null });
    offers.offer([...found(SECRET_TEST), ...found(SECRET_TEST), ...found(`sk_org_${body99}`)]);
    offers.offer(found(SECRET_TEST));
    await vi.waitFor(() => expect(show).toHaveBeenCalledTimes(2));
    expect(show.mock.calls[1][0]).toMatchObject({ key: `sk_org_${body99}` });
    // What the card shows of the key (type, mode, masked) the background works out for the card's frame.
    expect(show.mock.calls[0][0]).toEqual({ key: SECRET_TEST, anchor: document.body, page: null, rotation: null });
    expect(loadCard).toHaveBeenCalledTimes(1);
    offers.forgetOffered();
    offers.offer(found(SECRET_TEST));
    await vi.waitFor(() => expect(show).toHaveBeenCalledTimes(3));
  });

  it('lets a key be offered again later if the card could not be loaded', async () => {
    const show = vi.fn();
    const loadCard = vi.fn().mockResolvedValueOnce(null).mockResolvedValue({ show, clear: vi.fn() });
    const offers = createOfferController({ loadCard, currentPage: () => null });
    offers.offer(found(SECRET_TEST));
    await vi.waitFor(() => expect(loadCard).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(offers.offeredCount).toBe(0)); // the failure let go of the key
    offers.offer(found(SECRET_TEST));
    await vi.waitFor(() => expect(show).toHaveBeenCalledTimes(1));
  });
});
