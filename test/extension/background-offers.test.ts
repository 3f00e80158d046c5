/**
 * How a key reaches the card's frame: the dashboard's card host hands it over for a one-time id,
 * and the card's page (card.html, an extension page in the same tab) takes it with that id, once.
 */
import { describe, expect, it, vi } from 'vitest';
import { createCardRelayHandlers } from '../../extension/background/card-relay';
import { createOfferHandlers, OFFER_TTL_MS } from '../../extension/background/offers';
import { dispatch, type Sender } from '../../extension/messaging/router';
import { setup, useFakeBrowser } from './background-harness';
import { body99, RESTRICTED_TEST } from './fixtures';
import { dashboardSender, EXTENSION } from './senders';

useFakeBrowser();

const PAGE = dashboardSender();
const card = (tabId = 7): Sender => ({ id: EXTENSION.id, url: `${EXTENSION.baseUrl}card.html`, tab: { id: tabId } as Sender['tab'], frameId: 4 });
const page = { kind: 'apikeys', mode: 'test', accountId: null };

describe('the one-time id between the card host and the card', () => {
  it('gives the key to the card once, with where its host is; the id is spent after', async () => {
    const { background } = setup();
    const offered = await dispatch(background.handlers, { type: 'serval:offer-key', data: { key: RESTRICTED_TEST, page, slot: '3' } }, PAGE, EXTENSION);
    expect(offered).toMatchObject({ ok: true, data: { offerId: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    const offerId = (offered as { data: { offerId: string } }).data.offerId;
    expect(JSON.stringify(offered)).not.toContain(RESTRICTED_TEST);

    const taken = await dispatch(background.handlers, { type: 'serval:take-offer', data: { offerId } }, card(), EXTENSION);
    expect(taken).toEqual({
      ok: true,
      data: { key: RESTRICTED_TEST, keyType: 'restricted', mode: 'test', maskedKey: 'rk_test_…8Hn0', page, rotation: null, slot: '3', tabId: 7, frameId: 0 },
    });
    const again = await dispatch(background.handlers, { type: 'serval:take-offer', data: { offerId } }, card(), EXTENSION);
    expect(again).toMatchObject({ ok: false, error: { code: 'offer_gone' } });
  });

  it('refuses the page taking an offer, the card offering one, a frame in another tab, and an offer past its time', async () => {
    const { background } = setup();
    const offer = async () =>
      (
        (await dispatch(background.handlers, { type: 'serval:offer-key', data: { key: RESTRICTED_TEST, page, slot: '1' } }, PAGE, EXTENSION)) as {
          data: { offerId: string };
        }
      ).data.offerId;
    const fromPage = await dispatch(background.handlers, { type: 'serval:take-offer', data: { offerId: await offer() } }, PAGE, EXTENSION);
    expect(fromPage).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    const fromCard = await dispatch(background.handlers, { type: 'serval:offer-key', data: { key: RESTRICTED_TEST, page, slot: '1' } }, card(), EXTENSION);
    expect(fromCard).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    const otherTab = await dispatch(background.handlers, { type: 'serval:take-offer', data: { offerId: await offer() } }, card(8), EXTENSION);
    expect(otherTab).toMatchObject({ ok: false, error: { code: 'offer_gone' } });
    const guessed = await dispatch(background.handlers, { type: 'serval:take-offer', data: { offerId: '0'.repeat(32) } }, card(), EXTENSION);
    expect(guessed).toMatchObject({ ok: false, error: { code: 'offer_gone' } });

    let now = 0;
    const handlers = createOfferHandlers(() => now);
    const late = await handlers['serval:offer-key']({ key: RESTRICTED_TEST, page: null, slot: '1' }, PAGE);
    now += OFFER_TTL_MS;
    const taken = await handlers['serval:take-offer']({ offerId: (late as { data: { offerId: string } }).data.offerId }, card());
    expect(taken).toMatchObject({ ok: false, error: { code: 'offer_gone' } });
  });

  it("hands an organization key over with no mode: Stripe's answer to the check says which", async () => {
    const { background } = setup();
    const orgKey = `sk_org_${body99}`;
    const orgPage = { kind: 'organization-apikeys', mode: null, accountId: null };
    const offered = await dispatch(background.handlers, { type: 'serval:offer-key', data: { key: orgKey, page: orgPage, slot: '2' } }, PAGE, EXTENSION);
    const offerId = (offered as { data: { offerId: string } }).data.offerId;
    const taken = await dispatch(background.handlers, { type: 'serval:take-offer', data: { offerId } }, card(), EXTENSION);
    expect(taken).toMatchObject({
      ok: true,
      data: { key: orgKey, keyType: 'organization', mode: null, maskedKey: expect.stringMatching(/^sk_org_…/), page: orgPage },
    });
  });

  it('takes only a real key', async () => {
    const { background } = setup();
    const reply = await dispatch(background.handlers, { type: 'serval:offer-key', data: { key: 'pk_test_abc', page, slot: '1' } }, PAGE, EXTENSION);
    expect(reply).toMatchObject({ ok: false });
  });
});

describe('the card telling its host its size and its closing, through the worker', () => {
  const size = { type: 'serval:card-frame', slot: '3', event: 'size', height: 212 } as const;

  it('passes the message on to the frame named, in the tab the card itself is in, as the host reads it', async () => {
    const send = vi.fn(async () => undefined);
    const handlers = createCardRelayHandlers(send);
    const extra = { ...size, key: 'rk_test_anything', html: '<b>' } as never;
    expect(await dispatch(handlers as never, { type: 'serval:tell-card-host', data: { frameId: 0, message: extra } }, card(7), EXTENSION)).toEqual({
      ok: true,
      data: null,
    });
    expect(send).toHaveBeenCalledWith(7, size, 0); // the extra fields stay behind
    const close = { type: 'serval:card-frame', slot: '3', event: 'close', hadFocus: true } as const;
    await dispatch(handlers as never, { type: 'serval:tell-card-host', data: { frameId: 2, message: close } }, card(9), EXTENSION);
    expect(send).toHaveBeenLastCalledWith(9, close, 2);
  });

  it('refuses the page, a card outside a tab, and anything but the two messages a host reads', async () => {
    const send = vi.fn(async () => undefined);
    const handlers = createCardRelayHandlers(send);
    const tell = (data: unknown, sender: Sender) => dispatch(handlers as never, { type: 'serval:tell-card-host', data }, sender, EXTENSION);
    expect(await tell({ frameId: 0, message: size }, PAGE)).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    const tabless: Sender = { id: EXTENSION.id, url: `${EXTENSION.baseUrl}card.html` };
    expect(await tell({ frameId: 0, message: size }, tabless)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    for (const message of [{ ...size, height: Number.NaN }, { ...size, event: 'focus' }, { ...size, type: 'serval:send-key' }, { ...size, slot: 3 }, null]) {
      expect(await tell({ frameId: 0, message }, card())).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    expect(await tell({ frameId: -1, message: size }, card())).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(send).not.toHaveBeenCalled();
  });

  it('answers even when the host is gone (the page navigated away)', async () => {
    const handlers = createCardRelayHandlers(async () => Promise.reject(new Error('Could not establish connection. Receiving end does not exist.')));
    expect(await dispatch(handlers as never, { type: 'serval:tell-card-host', data: { frameId: 0, message: size } }, card(), EXTENSION)).toEqual({
      ok: true,
      data: null,
    });
  });
});
