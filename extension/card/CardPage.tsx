/**
 * The card's own page (card.html), in its frame on the dashboard: it takes its offer from the
 * background worker with the one-time id in its URL's fragment, forgets the id, and shows the
 * offer card. It tells its host (in the dashboard's content-script world) how tall it is, so the
 * frame follows its content, and when it closes. It listens to no message from the page's window.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorMessage } from '../../ui/ErrorMessage';
import type { ServalError } from '../../ui/errors';
import type { TakenOffer } from '../messaging/protocol';
import type { CardClient } from './card-client';
import { OfferCard } from './OfferCard';
import { SeenWholeProvider, useSeenWhole } from './seen-whole';

/** How the page talks to the rest of the extension; tests substitute their own. */
export type CardPageDeps = {
  take(offerId: string): Promise<{ ok: true; data: TakenOffer } | { ok: false; error: ServalError }>;
  /** To the host of the frame, in the tab and frame the offer came from. */
  tellHost(
    offer: Pick<TakenOffer, 'tabId' | 'frameId' | 'slot'> | null,
    event: { event: 'size'; height: number } | { event: 'close'; hadFocus: boolean },
  ): void;
  client: CardClient;
};

type State = { kind: 'taking' } | { kind: 'offer'; offer: TakenOffer } | { kind: 'gone'; error: ServalError };

export function CardPage({ offerId, deps }: { offerId: string; deps: CardPageDeps }) {
  const [state, setState] = useState<State>({ kind: 'taking' });
  const root = useRef<HTMLDivElement>(null);
  const offer = state.kind === 'offer' ? state.offer : null;

  useEffect(() => {
    void deps.take(offerId).then((reply) => setState(reply.ok ? { kind: 'offer', offer: reply.data } : { kind: 'gone', error: reply.error }));
  }, [offerId]);

  // The frame's height follows the card's: nothing scrolls inside the frame.
  useEffect(() => {
    const element = root.current;
    if (!offer || !element) return;
    const report = () => deps.tellHost(offer, { event: 'size', height: element.getBoundingClientRect().height });
    const observer = new ResizeObserver(report);
    observer.observe(element);
    report();
    return () => observer.disconnect();
  }, [offer]);

  // Whether the card is seen whole in the page around its frame (seen-whole.ts): Send waits for it.
  const seen = useSeenWhole(offer ? root.current : null);

  const close = () => deps.tellHost(offer, { event: 'close', hadFocus: document.hasFocus() });

  return (
    <div ref={root} class="frame">
      {state.kind === 'offer' && (
        <SeenWholeProvider value={seen}>
          <OfferCard offer={state.offer} client={deps.client} onDismiss={close} />
        </SeenWholeProvider>
      )}
      {state.kind === 'gone' && (
        <section class="card" aria-label="Serval">
          <ErrorMessage error={state.error} announce={false} />
        </section>
      )}
    </div>
  );
}
