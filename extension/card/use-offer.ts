/**
 * The offer card's state: the applications the key may go to, the one chosen (or a new one's
 * name), and where the send stands. The key stays in the caller's props (memory) and leaves only
 * inside the `serval:send-key` message.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Application, IntegrationWithValidation } from '../../shared/api.js';
import type { ServalError } from '../../ui/errors';
import type { PairedPerson } from '../messaging/protocol';
import type { CardClient } from './card-client';

/** The picker's value for "New application…". */
export const NEW_APPLICATION = '__new__';

/** A Stripe account id, as the backend takes it for `stripeAccount`. */
const STRIPE_ACCOUNT = /^acct_[A-Za-z0-9]{1,64}$/;

/**
 * `organization`: the key is an organization key, which acts on the account its application names
 * (an application without one gets it typed in the card). `previousKeyExpiresAt`: when the key it
 * replaces stops working, from the Rotate dialog's Expiration.
 */
export type SendOptions = { organization: boolean; previousKeyExpiresAt: string | null };

export type OfferPhase =
  | { kind: 'loading' }
  | { kind: 'not-paired'; revoked: boolean }
  | { kind: 'unavailable'; error: ServalError }
  | { kind: 'ready' }
  | { kind: 'sending'; applicationName: string }
  | { kind: 'done'; applicationName: string; result: IntegrationWithValidation }
  | { kind: 'failed'; error: ServalError };

/** Where a failed request leaves the card: a pairing problem leads to the options page, the rest is shown as `otherwise`. */
function phaseForError(error: ServalError, otherwise: 'unavailable' | 'failed'): OfferPhase {
  if (error.code === 'not_paired' || error.code === 'unauthorized') return { kind: 'not-paired', revoked: error.code === 'unauthorized' };
  return { kind: otherwise, error };
}

export function useOffer(client: CardClient, apiKey: string, options: SendOptions = { organization: false, previousKeyExpiresAt: null }) {
  const [phase, setPhase] = useState<OfferPhase>({ kind: 'loading' });
  const [applications, setApplications] = useState<Application[]>([]);
  const [selected, setSelected] = useState<string>(NEW_APPLICATION);
  const [newName, setNewName] = useState('');
  /** The account typed for an organization key, for an application that names none yet. */
  const [stripeAccount, setStripeAccount] = useState('');
  /** Who the browser is paired as, with the list: null when the backend did not say. */
  const [person, setPerson] = useState<PairedPerson | null>(null);

  async function loadApplications(): Promise<void> {
    setPhase({ kind: 'loading' });
    const reply = await client.listApplications();
    if (!reply.ok) {
      setPhase(phaseForError(reply.error, 'unavailable'));
      return;
    }
    const { applications: list, defaultApplicationId } = reply.data;
    setPerson(reply.data.person ?? null);
    setApplications(list);
    setSelected(defaultApplicationId ?? list[0]?.id ?? NEW_APPLICATION);
    setPhase({ kind: 'ready' });
  }

  useEffect(() => {
    void loadApplications();
  }, []);

  /**
   * Sends the key to the chosen application, creating it first when it is a new one. An
   * organization key's application gets the account typed first, when it names none.
   */
  async function send(): Promise<void> {
    let application = applications.find((a) => a.id === selected);
    const account = stripeAccount.trim();
    const accountNeeded = options.organization && !application?.stripeAccount;
    if (accountNeeded && !STRIPE_ACCOUNT.test(account)) {
      const message = 'Type the Stripe account this organization key acts on: acct_ followed by letters and digits.';
      setPhase({ kind: 'failed', error: { code: 'validation_failed', message } });
      return;
    }
    if (!application) {
      const name = newName.trim();
      if (name === '') {
        setPhase({ kind: 'failed', error: { code: 'validation_failed', message: 'Give the new application a name first.' } });
        return;
      }
      setPhase({ kind: 'sending', applicationName: name });
      const created = await (accountNeeded ? client.createApplication(name, account) : client.createApplication(name));
      if (!created.ok) {
        setPhase(phaseForError(created.error, 'failed'));
        return;
      }
      application = created.data.application;
      setApplications((list) => [...list, created.data.application]);
      setSelected(application.id);
    } else if (accountNeeded) {
      setPhase({ kind: 'sending', applicationName: application.name });
      const changed = await client.setStripeAccount(application.id, account);
      if (!changed.ok) {
        setPhase(phaseForError(changed.error, 'failed'));
        return;
      }
      const updated = changed.data.application;
      application = updated;
      setApplications((list) => list.map((a) => (a.id === updated.id ? updated : a)));
    }
    setPhase({ kind: 'sending', applicationName: application.name });
    const expiresAt = options.previousKeyExpiresAt;
    const reply = await (expiresAt ? client.sendKey(application.id, apiKey, expiresAt) : client.sendKey(application.id, apiKey));
    if (!reply.ok) {
      setPhase(phaseForError(reply.error, 'failed'));
      return;
    }
    setPhase({ kind: 'done', applicationName: application.name, result: reply.data });
  }

  return {
    phase,
    person,
    applications,
    selected,
    selectApplication: setSelected,
    newName,
    nameNewApplication: setNewName,
    stripeAccount,
    typeStripeAccount: setStripeAccount,
    organization: options.organization,
    reloadApplications: loadApplications,
    send,
  };
}

export type Offer = ReturnType<typeof useOffer>;
