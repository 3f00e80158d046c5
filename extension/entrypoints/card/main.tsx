/**
 * card.html: the offer card as an extension page, shown in a frame on the Stripe Dashboard by the
 * card host (card/mount.ts). Its URL's fragment is a one-time id; it is taken out of the URL at
 * once, and the key comes from the background worker (background/offers.ts).
 */
import { render } from 'preact';
import { adoptStyles } from '../../../ui/adopt-styles';
import { backgroundCardClient } from '../../card/card-client';
import { CARD_FRAME_CSS } from '../../card/card-styles';
import { CardPage, type CardPageDeps } from '../../card/CardPage';
import { CARD_FRAME_MESSAGE, type CardFrameMessage } from '../../messaging/protocol';
import { sendToBackground } from '../../messaging/send';

const deps: CardPageDeps = {
  take: (id) => sendToBackground('serval:take-offer', { offerId: id }),
  tellHost(offer, event) {
    if (!offer) return;
    const message = { type: CARD_FRAME_MESSAGE, slot: offer.slot, ...event } as CardFrameMessage;
    // Through the background worker: Firefox gives a frame like this one no `tabs` (background/card-relay.ts).
    void sendToBackground('serval:tell-card-host', { frameId: offer.frameId, message });
  },
  client: backgroundCardClient,
};

/** Shows the offer the fragment's id stands for, and takes the id out of the URL. */
function show(): void {
  const offerId = location.hash.slice(1);
  if (!offerId) return;
  history.replaceState(null, '', location.pathname);
  render(<CardPage key={offerId} offerId={offerId} deps={deps} />, document.getElementById('app')!);
}

adoptStyles(document, CARD_FRAME_CSS);
show();
