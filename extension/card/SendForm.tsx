/**
 * The card's form: Application (or the name of a new one), what sending there would mean (the
 * application's declared environment, the key it would replace), and Send to Serval.
 */
import { useId } from 'preact/hooks';
import type { KeyMode } from '../../shared/keys.js';
import { allows } from '../../shared/roles.js';
import { isRetryable } from '../../ui/errors';
import { environmentLabel, modeLabel, ROTATION_DUE, statusLabel } from '../../ui/labels';
import { byPersonOnly } from './by-person';
import { useSeenWholeGate } from './seen-whole';
import { NEW_APPLICATION, type Offer } from './use-offer';

/** `mode`: null for an organization key, whose mode Stripe's answer says. */
export function SendForm({ offer, mode }: { offer: Offer; mode: KeyMode | null }) {
  const { phase, applications, selected, newName } = offer;
  const selectId = useId();
  const nameId = useId();
  const accountId = useId();
  const accountHelpId = useId();
  const sending = phase.kind === 'sending';
  const chosen = applications.find((a) => a.id === selected);
  // An organization key acts on the account its application names: typed here when it names none.
  const accountNeeded = offer.organization && !chosen?.stripeAccount;
  // Setting it on an existing application is an admin's change; on a new one, a member's too.
  const accountRefused = accountNeeded && chosen && offer.person && !allows(offer.person.role, 'destroy');
  const seen = useSeenWholeGate();

  return (
    // Never sends on submit (see by-person.ts): the Send button's click does.
    <form class="send" onSubmit={(event) => event.preventDefault()}>
      <label for={selectId}>Application</label>
      <select
        id={selectId}
        value={selected}
        disabled={sending}
        onChange={(event) => {
          const picker = event.currentTarget as HTMLSelectElement;
          byPersonOnly(
            event,
            () => offer.selectApplication(picker.value),
            () => (picker.value = selected),
          );
        }}
      >
        {applications.map((application) => (
          <option key={application.id} value={application.id}>
            {offer.organization && application.stripeAccount ? `${application.name} (${application.stripeAccount})` : application.name}
          </option>
        ))}
        <option value={NEW_APPLICATION}>New application…</option>
      </select>
      {selected === NEW_APPLICATION && (
        <>
          <label for={nameId}>Name of the new application</label>
          <input
            id={nameId}
            type="text"
            value={newName}
            maxLength={100}
            disabled={sending}
            onInput={(event) => {
              const field = event.currentTarget as HTMLInputElement;
              byPersonOnly(
                event,
                () => offer.nameNewApplication(field.value),
                () => (field.value = newName),
              );
            }}
          />
        </>
      )}
      {accountNeeded && !accountRefused && (
        <>
          <label for={accountId}>Stripe account</label>
          <input
            id={accountId}
            type="text"
            value={offer.stripeAccount}
            placeholder="acct_…"
            maxLength={69}
            spellcheck={false}
            autocomplete="off"
            aria-describedby={accountHelpId}
            disabled={sending}
            onInput={(event) => {
              const field = event.currentTarget as HTMLInputElement;
              byPersonOnly(
                event,
                () => offer.typeStripeAccount(field.value),
                () => (field.value = offer.stripeAccount),
              );
            }}
          />
          <p id={accountHelpId} class="muted">
            The account this organization key acts on for {chosen ? chosen.name : 'the new application'}: its id, acct_…, from Stripe's account switcher.
          </p>
        </>
      )}
      {accountRefused && (
        <p class="warn">
          {chosen.name} names no Stripe account, and only an admin can set one. Choose an application that names its account, or a new application.
        </p>
      )}
      {offer.organization && chosen?.stripeAccount && <p class="muted">Acts on Stripe account {chosen.stripeAccount}.</p>}
      {chosen?.environment && (
        <p class={`muted environment environment-${chosen.environment}`}>
          {environmentLabel(chosen.environment)}
          {mode && chosen.environment !== mode ? `: this ${modeLabel(mode).toLowerCase()} key does not belong here.` : '.'}
        </p>
      )}
      {chosen?.stripe && (
        <p class="muted">
          Replaces its current key <code>{chosen.stripe.maskedKey}</code> ({statusLabel(chosen.stripe.status).toLowerCase()}).
          {chosen.stripe.rotationDue && <span class="rotation-due"> {ROTATION_DUE}.</span>}
        </p>
      )}
      {seen.notice && (
        <p class="warn" role="alert">
          {seen.notice}
        </p>
      )}
      <button
        type="submit"
        class="primary"
        disabled={sending || Boolean(accountRefused)}
        aria-busy={sending}
        onClick={(event) => {
          event.preventDefault(); // no submit event: this click is the only way to send
          // A person's click on a card they can see whole: not one made through a decoy over it.
          byPersonOnly(event, () => seen.allows && void offer.send());
        }}
      >
        {phase.kind === 'failed' && isRetryable(phase.error) ? 'Send to Serval again' : 'Send to Serval'}
      </button>
    </form>
  );
}
