/**
 * The offer beside a newly revealed key: what the key is, where it would go, Send to Serval,
 * then the verdict. One card per key. Its state lives in useOffer (use-offer.ts), the form in
 * SendForm, Also update in AlsoUpdate; which of its controls a script on the page may work is
 * said in by-person.ts.
 */
import { useEffect, useRef } from 'preact/hooks';
import { createRestrictedKeyUrl } from '../../shared/permissions.js';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { rotateExpirationMs } from '../../shared/key-expiry.js';
import { formatTime, keyTypeLabel, LIVE_MODE_WARNING, modeLabel } from '../../ui/labels';
import { Verdict } from '../../ui/Verdict';
import type { TakenOffer } from '../messaging/protocol';
import type { StripePage } from '../page/stripe-pages';
import { roleInWords, sendRefusal } from '../people/person';
import { ACCOUNT_USED_ELSEWHERE, applicationsHoldingOlderKey, oldKeyExpiry, PREVIOUS_KEY_EXPIRING } from './also-update';
import { AlsoUpdate } from './AlsoUpdate';
import { byPersonOnly } from './by-person';
import type { CardClient } from './card-client';
import { SendForm } from './SendForm';
import { useOffer, type OfferPhase } from './use-offer';

export type OfferCardProps = {
  /** `page`: the dashboard page the key was found on, whose URL may name the account. */
  offer: Pick<TakenOffer, 'key' | 'keyType' | 'mode' | 'maskedKey'> & { page?: StripePage | null; rotation?: TakenOffer['rotation'] };
  client: CardClient;
  onDismiss(): void;
};

/** Warnings the card says in its own words around the verdict: the secret-key note, the live badge, Also update. */
const SAID_ELSEWHERE = new Set(['secret_key_full_access', 'live_mode', ACCOUNT_USED_ELSEWHERE, PREVIOUS_KEY_EXPIRING]);

/** When the key this one replaces stops working: the Expiration chosen in Stripe's Rotate dialog, from when the person rotated. */
export function previousKeyExpiresAt(rotation: TakenOffer['rotation'] | undefined): string | null {
  const ms = rotation ? rotateExpirationMs(rotation.expiration) : null;
  return ms === null || !rotation ? null : new Date(rotation.chosenAt + ms).toISOString();
}

/**
 * When a send ends, the Send button that had keyboard focus is disabled or gone: focus the answer
 * instead of letting it drop to the page — unless the person has moved on elsewhere.
 */
function useFocusOnAnswer(phase: OfferPhase) {
  const sectionRef = useRef<HTMLElement>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const previousPhase = useRef<OfferPhase['kind']>(phase.kind);
  useEffect(() => {
    const sent = previousPhase.current === 'sending' && phase.kind !== 'sending';
    previousPhase.current = phase.kind;
    const status = statusRef.current;
    if (!sent || !status) return;
    const document = status.ownerDocument;
    const focused = (status.getRootNode() as Document | ShadowRoot).activeElement;
    const focusDropped = document.activeElement === null || document.activeElement === document.body;
    if (focusDropped || (focused !== null && sectionRef.current?.contains(focused))) status.focus();
  }, [phase]);
  return { sectionRef, statusRef };
}

export function OfferCard({ offer, client, onDismiss }: OfferCardProps) {
  const expiresAt = previousKeyExpiresAt(offer.rotation);
  const state = useOffer(client, offer.key, { organization: offer.keyType === 'organization', previousKeyExpiresAt: expiresAt });
  const { phase } = state;
  const { sectionRef, statusRef } = useFocusOnAnswer(phase);
  // An organization key's mode is Stripe's to say: known once the check has answered.
  const mode = offer.mode ?? (phase.kind === 'done' ? phase.result.integration.mode : null);
  // A member with a live key, a viewer with any: said instead of a Send the backend would refuse.
  // An organization key asks for the least a Send needs; the backend refuses a live one after the check.
  const refusal = phase.kind === 'ready' && state.person ? sendRefusal(state.person, offer.mode ?? 'test') : null;

  return (
    <section
      ref={sectionRef}
      class="card"
      // Unique per key: several offers are several landmarks, told apart by their masked key.
      aria-label={`Serval: send this Stripe key (${offer.maskedKey})`}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onDismiss();
        }
      }}
    >
      <header class="head">
        <span class="brand">Serval</span>
        {/* Named for what it shows (WCAG 2.5.3): a person who says "click Close" reaches it. */}
        <button type="button" class="close" aria-label="Close" title="Close" onClick={onDismiss}>
          ×
        </button>
      </header>

      <p class="key">
        <span class="key-type">{keyTypeLabel(offer.keyType)}</span> <code>{offer.maskedKey}</code>{' '}
        {mode ? <span class={`mode mode-${mode}`}>{modeLabel(mode)}</span> : <span class="mode mode-unknown">Mode: decided by Stripe</span>}
      </p>
      {mode === 'live' && <p class="live-warning">{LIVE_MODE_WARNING}.</p>}
      {expiresAt && offer.rotation && (
        <p class="note rotation">
          Rotated in Stripe with Expiration {offer.rotation.expiration}:{' '}
          {rotateExpirationMs(offer.rotation.expiration) === 0
            ? 'the old key stopped working at once.'
            : `the old key keeps working until ${formatTime(expiresAt)}.`}
        </p>
      )}
      {offer.keyType === 'organization' && (
        <p class="note">An organization key can act on every account of your Stripe organization: Serval uses it for the account its application names.</p>
      )}
      {offer.keyType === 'secret' && (
        <p class="note">
          A secret key can do everything in your Stripe account. A restricted key with only Serval's permissions is safer:{' '}
          <a href={createRestrictedKeyUrl(offer.mode ?? 'test')} target="_blank" rel="noopener noreferrer">
            Create a restricted key for Serval
          </a>
          .
        </p>
      )}

      <div class="body" role="status" aria-live="polite" tabIndex={-1} ref={statusRef}>
        {phase.kind === 'loading' && <p class="muted">Loading your Serval applications…</p>}

        {phase.kind === 'not-paired' && (
          <>
            <p>{phase.revoked ? "This browser's pairing with Serval was revoked." : 'Serval is not paired with this browser yet.'}</p>
            <p class="muted">Pair it in the Serval options with your backend's URL and a pairing code, then send the key.</p>
            <button type="button" class="primary" onClick={(event) => byPersonOnly(event, () => void client.openOptions())}>
              Open Serval options
            </button>
          </>
        )}

        {phase.kind === 'unavailable' && (
          <>
            <ErrorMessage error={phase.error} announce={false} />
            <button type="button" class="primary" onClick={() => void state.reloadApplications()}>
              Try again
            </button>
          </>
        )}

        {refusal && state.person && (
          <>
            <p class="warn">{refusal}</p>
            {/* The role, not the name: the card says no more about the person than it needs to. */}
            <p class="muted">This browser is paired with Serval as {roleInWords(state.person.role)}.</p>
          </>
        )}

        {phase.kind === 'sending' && <p>Sending to {phase.applicationName} and checking the key with Stripe…</p>}

        {phase.kind === 'done' && (
          <Verdict
            {...phase.result}
            applicationName={phase.applicationName}
            newKeyStep="send the new key"
            dashboardAccountId={offer.page?.accountId}
            saidElsewhere={SAID_ELSEWHERE}
          />
        )}
        {phase.kind === 'done' && (
          <AlsoUpdate
            holders={applicationsHoldingOlderKey(phase.result.validation)}
            expiry={oldKeyExpiry(phase.result.validation)}
            previousKeyExpiresAt={expiresAt}
            apiKey={offer.key}
            client={client}
          />
        )}

        {phase.kind === 'failed' && <ErrorMessage error={phase.error} announce={false} />}
      </div>

      {!refusal && (phase.kind === 'ready' || phase.kind === 'failed' || phase.kind === 'sending') && <SendForm offer={state} mode={offer.mode} />}

      {phase.kind === 'done' && (
        // Not "Done": the card sits inside Stripe's dialog, whose own button is called that.
        <button type="button" class="secondary" onClick={onDismiss}>
          Close this offer
        </button>
      )}
    </section>
  );
}
