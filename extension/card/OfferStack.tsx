import type { KeyOffer } from './card-api';
import type { CardClient } from './card-client';
import { OfferCard } from './OfferCard';

export type ShownOffer = { id: number; offer: KeyOffer };

export function OfferStack({ offers, client, onDismiss }: { offers: ShownOffer[]; client: CardClient; onDismiss(id: number): void }) {
  return (
    <div class="stack">
      {offers.map(({ id, offer }) => (
        <OfferCard key={id} offer={offer} client={client} onDismiss={() => onDismiss(id)} />
      ))}
    </div>
  );
}
