/**
 * The API Integration tab: the integration guide's manual flow. Search, choose Stripe, paste the
 * key, Save. The key lives only in the password field until Save: it is read from the field,
 * the field is cleared at once, and it is sent in the request body and nowhere else (never the
 * URL, web storage or component state). What the person's role can't do is not offered: a
 * viewer reads; a member connects test keys (a live key is refused here, before it leaves the
 * page); removing needs an admin. An organization key (sk_org_…) acts on the application's Stripe
 * account: the form asks for it beside the key, and a changed account is saved first (an admin's
 * change).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Application, Integration, Validation } from '../../shared/api.js';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { parseKey } from '../../shared/keys.js';
import { forbiddenMessage, permissionForKey } from '../../shared/roles.js';
import { Verdict } from '../../ui/Verdict';
import { ConsoleApiError, type ConsoleApi } from './api';
import { NotAllowed, useAllowed } from './roles';

const CATALOGUE = [{ id: 'stripe', name: 'Stripe' }] as const;

function asError(e: unknown): ServalError {
  return e instanceof ConsoleApiError ? e.error : { code: 'internal_error', message: String(e) };
}

type Props = { api: ConsoleApi; application: Application; onChanged: (integration: Integration | null) => void };

export function StripeIntegration({ api, application, onChanged }: Props) {
  const integration = application.stripe;
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState(false);
  const [replacing, setReplacing] = useState(false);
  /** The check behind the verdict shown, from this tab's last Save or Re-check: its warnings are shown with it. */
  const [validation, setValidation] = useState<Validation | null>(null);
  const [error, setError] = useState<ServalError | null>(null);
  const [busy, setBusy] = useState<null | 'save' | 'recheck' | 'remove'>(null);
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const keyField = useRef<HTMLInputElement>(null);
  const mayWrite = useAllowed('write_test');
  const mayLive = useAllowed('write_live');
  const mayRemove = useAllowed('destroy');

  // Choosing Stripe, or Replace key, takes the keyboard to the key field.
  useEffect(() => {
    if (chosen || replacing) keyField.current?.focus();
  }, [chosen, replacing]);

  useEffect(() => {
    if (confirmingRemove) confirmRef.current?.focus();
  }, [confirmingRemove]);

  const matches = query.trim() ? CATALOGUE.filter((entry) => entry.name.toLowerCase().includes(query.trim().toLowerCase())) : [];

  async function run(kind: 'save' | 'recheck' | 'remove', action: () => Promise<void>) {
    setBusy(kind);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(null);
    }
  }

  async function save(event: Event) {
    event.preventDefault();
    const field = (event.currentTarget as HTMLFormElement).elements.namedItem('apiKey') as HTMLInputElement;
    const apiKey = field.value.trim();
    field.value = '';
    if (!apiKey) return;
    const parsed = parseKey(apiKey);
    if (parsed.ok && parsed.mode === 'live' && !mayLive) {
      setError({ code: 'forbidden', message: forbiddenMessage(permissionForKey('live')) });
      return;
    }
    const accountField = (event.currentTarget as HTMLFormElement).elements.namedItem('stripeAccount') as HTMLInputElement | null;
    const stripeAccount = accountField?.value.trim() || null;
    setValidation(null);
    await run('save', async () => {
      // An organization key acts on the account named here: a new one is the application's first.
      if (parsed.ok && parsed.keyType === 'organization' && stripeAccount && stripeAccount !== application.stripeAccount) {
        await api.updateApplication(application.id, { stripeAccount });
      }
      const result = await api.saveStripeKey(application.id, apiKey);
      setValidation(result.validation);
      setReplacing(false);
      onChanged(result.integration);
    });
  }

  const recheck = () =>
    run('recheck', async () => {
      const result = await api.recheckIntegration(application.id);
      setValidation(result.validation);
      onChanged(result.integration);
    });

  const remove = () =>
    run('remove', async () => {
      await api.removeIntegration(application.id);
      setConfirmingRemove(false);
      setValidation(null);
      setChosen(false);
      onChanged(null);
    });

  const form = (
    <form class="stack key-form" method="post" autocomplete="off" onSubmit={save}>
      <label for="stripe-api-key">Stripe API key</label>
      <input
        ref={keyField}
        id="stripe-api-key"
        name="apiKey"
        type="password"
        autocomplete="off"
        spellcheck={false}
        required
        aria-describedby="stripe-api-key-note"
      />
      <p id="stripe-api-key-note" class="muted">
        A restricted key (rk_…, or a claimable sandbox's rkcs_test_…) with Serval's permissions, a secret key (sk_…), or an organization key (sk_org_…). Serval
        checks it with Stripe, then seals it.
        {!mayLive && ` ${forbiddenMessage('write_live')}`}
      </p>
      <label for="stripe-account">Stripe account (for an organization key)</label>
      <input
        id="stripe-account"
        name="stripeAccount"
        type="text"
        autocomplete="off"
        spellcheck={false}
        placeholder="acct_…"
        pattern="acct_[A-Za-z0-9]+"
        defaultValue={application.stripeAccount ?? ''}
        aria-describedby="stripe-account-note"
      />
      <p id="stripe-account-note" class="muted">
        The account an sk_org_ key acts on (sent to Stripe as Stripe-Context). Other keys act on their own account.
      </p>
      <div class="row">
        <button type="submit" class="primary" disabled={busy !== null}>
          {busy === 'save' ? 'Checking with Stripe…' : 'Save'}
        </button>
        {replacing && (
          <button type="button" class="secondary" onClick={() => setReplacing(false)}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );

  return (
    <section class="integration" aria-labelledby="stripe-heading">
      {error && <ErrorMessage error={error} />}
      {integration ? (
        <>
          <h2 id="stripe-heading">Stripe</h2>
          <Verdict integration={integration} validation={validation} facts newKeyStep="save the new key here" />
          {mayWrite && (
            <div class="row">
              <button type="button" class="secondary" disabled={busy !== null} onClick={recheck}>
                {busy === 'recheck' ? 'Checking…' : 'Re-check'}
              </button>
              {!replacing && (
                <button type="button" class="secondary" disabled={busy !== null} onClick={() => setReplacing(true)}>
                  Replace key
                </button>
              )}
              {mayRemove && !confirmingRemove && (
                <button type="button" class="danger" disabled={busy !== null} onClick={() => setConfirmingRemove(true)}>
                  Remove
                </button>
              )}
            </div>
          )}
          {!mayWrite ? <NotAllowed permission="write_test" /> : !mayRemove && <NotAllowed permission="destroy" />}
          {confirmingRemove && (
            // biome-ignore lint/a11y/useSemanticElements: a confirmation (a question and its two answers), not a set of form fields
            <div class="confirm" role="group" aria-labelledby="confirm-remove-text">
              <p id="confirm-remove-text">Remove the Stripe key from {application.name}? The sealed key is destroyed; workflows using it stop.</p>
              <div class="row">
                <button type="button" class="danger" ref={confirmRef} disabled={busy !== null} onClick={remove}>
                  {busy === 'remove' ? 'Removing…' : 'Yes, remove the key'}
                </button>
                <button type="button" class="secondary" onClick={() => setConfirmingRemove(false)}>
                  Cancel
                </button>
              </div>
            </div>
          )}
          {replacing && form}
        </>
      ) : !mayWrite ? (
        <>
          <h2 id="stripe-heading">Stripe</h2>
          <p>Stripe is not connected.</p>
          <NotAllowed permission="write_test" />
        </>
      ) : (
        <>
          <h2 id="stripe-heading" class="visually-hidden">
            Connect an integration
          </h2>
          <div class="stack">
            <label for="integration-search">Search integrations</label>
            <input id="integration-search" type="search" autocomplete="off" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
          </div>
          {query.trim() && (
            <ul class="search-results" aria-label="Integrations">
              {matches.map((entry) => (
                <li key={entry.id}>
                  <button type="button" class="secondary" aria-pressed={chosen} onClick={() => setChosen(true)}>
                    {entry.name}
                  </button>
                </li>
              ))}
              {matches.length === 0 && <li class="muted">No integration matches “{query.trim()}”.</li>}
            </ul>
          )}
          {chosen && (
            <div class="stripe-form">
              <h3>Stripe</h3>
              {form}
            </div>
          )}
        </>
      )}
    </section>
  );
}
