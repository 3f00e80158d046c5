/**
 * The offer beside a newly revealed key: what the key is, where it would go, Send to Serval,
 * then the verdict. One card per key; the key stays in this component's props (memory) and
 * leaves only inside the `serval:send-key` message.
 *
 * The card's shadow root is open (for tests and assistive technology), so a script on the Stripe
 * page can reach its controls. Only a person's input — a trusted event — chooses the application,
 * names a new one, sends, or opens the options page; a script's change is undone. Sending starts from the Send button's
 * click (a person's click, Enter or Space on it, or Enter in the name field, which the browser
 * turns into a trusted click on it), never from the form's submit event: Chromium marks every
 * submit event trusted, the one a page script's `form.requestSubmit()` fires included.
 * **Also update** (after a send whose answer lists other applications holding the account's
 * older key) follows the same rule: only a person's click sends the key to them.
 * Dismiss and Try again stay open to scripts: they change nothing beyond the page, and a page
 * that wants the card gone can hide it through the open shadow root anyway.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Application } from '../../shared/api.js';
import { createRestrictedKeyUrl } from '../../shared/permissions.js';
import { isRetryable, type ServalError } from '../../ui/errors';
import type { IntegrationResult, RotationResult } from '../messaging/protocol';
import type { StripePage } from '../page/stripe-pages';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { environmentLabel, keyTypeLabel, LIVE_MODE_WARNING, modeLabel, ROTATION_DUE, statusLabel } from '../../ui/labels';
import { Verdict } from '../../ui/Verdict';
import { ACCOUNT_USED_ELSEWHERE, applicationsHoldingOlderKey, listNames, type OlderKeyHolder } from './also-update';
import type { KeyOffer } from './card-api';
import type { CardClient } from './card-client';

const NEW_APPLICATION = '__new__';

type Phase =
  | { kind: 'loading' }
  | { kind: 'not-paired'; revoked: boolean }
  | { kind: 'unavailable'; error: ServalError }
  | { kind: 'ready' }
  | { kind: 'sending'; applicationName: string }
  | { kind: 'done'; applicationName: string; result: IntegrationResult }
  | { kind: 'failed'; error: ServalError };

export type OfferCardProps = {
  /** `page`: the dashboard page the key was found on, whose URL may name the account. */
  offer: Pick<KeyOffer, 'key' | 'keyType' | 'mode' | 'maskedKey'> & { page?: StripePage | null };
  client: CardClient;
  onDismiss(): void;
};

/** Where a failed request leaves the card: a pairing problem leads to the options page, the rest is shown as `otherwise`. */
function phaseForError(error: ServalError, otherwise: 'unavailable' | 'failed'): Phase {
  if (error.code === 'not_paired' || error.code === 'unauthorized') return { kind: 'not-paired', revoked: error.code === 'unauthorized' };
  return { kind: otherwise, error };
}

export function OfferCard({ offer, client, onDismiss }: OfferCardProps) {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [applications, setApplications] = useState<Application[]>([]);
  const [selected, setSelected] = useState<string>(NEW_APPLICATION);
  const [newName, setNewName] = useState('');
  const selectId = useId();
  const nameId = useId();
  const sectionRef = useRef<HTMLElement>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const previousPhase = useRef<Phase['kind']>(phase.kind);

  async function loadApplications(): Promise<void> {
    setPhase({ kind: 'loading' });
    const reply = await client.listApplications();
    if (!reply.ok) {
      setPhase(phaseForError(reply.error, 'unavailable'));
      return;
    }
    const { applications: list, defaultApplicationId } = reply.data;
    setApplications(list);
    setSelected(defaultApplicationId ?? list[0]?.id ?? NEW_APPLICATION);
    setPhase({ kind: 'ready' });
  }

  useEffect(() => {
    void loadApplications();
  }, []);

  // When a send ends, the Send button that had keyboard focus is disabled or gone: focus the
  // answer instead of letting it drop to the page — unless the person has moved on elsewhere.
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

  async function send(): Promise<void> {
    let application = applications.find((a) => a.id === selected);
    if (!application) {
      const name = newName.trim();
      if (name === '') {
        setPhase({ kind: 'failed', error: { code: 'validation_failed', message: 'Give the new application a name first.' } });
        return;
      }
      setPhase({ kind: 'sending', applicationName: name });
      const created = await client.createApplication(name);
      if (!created.ok) {
        setPhase(phaseForError(created.error, 'failed'));
        return;
      }
      application = created.data.application;
      setApplications((list) => [...list, created.data.application]);
      setSelected(application.id);
    }
    setPhase({ kind: 'sending', applicationName: application.name });
    const reply = await client.sendKey(application.id, offer.key);
    if (!reply.ok) {
      setPhase(phaseForError(reply.error, 'failed'));
      return;
    }
    setPhase({ kind: 'done', applicationName: application.name, result: reply.data });
  }

  const selectedApplication = applications.find((a) => a.id === selected);

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
        <span class={`mode mode-${offer.mode}`}>{modeLabel(offer.mode)}</span>
      </p>
      {offer.mode === 'live' && <p class="live-warning">{LIVE_MODE_WARNING}.</p>}
      {offer.keyType === 'secret' && (
        <p class="note">
          A secret key can do everything in your Stripe account. A restricted key with only Serval's permissions is safer:{' '}
          <a href={createRestrictedKeyUrl(offer.mode)} target="_blank" rel="noopener noreferrer">
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
            <button
              type="button"
              class="primary"
              onClick={(event) => {
                if (event.isTrusted) void client.openOptions();
              }}
            >
              Open Serval options
            </button>
          </>
        )}

        {phase.kind === 'unavailable' && (
          <>
            <ErrorMessage error={phase.error} announce={false} />
            <button type="button" class="primary" onClick={() => void loadApplications()}>
              Try again
            </button>
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
          <AlsoUpdate holders={applicationsHoldingOlderKey(phase.result.validation)} apiKey={offer.key} client={client} />
        )}

        {phase.kind === 'failed' && <ErrorMessage error={phase.error} announce={false} />}
      </div>

      {(phase.kind === 'ready' || phase.kind === 'failed' || phase.kind === 'sending') && (
        // Never sends on submit (see the top of this file): the Send button's click does.
        <form class="send" onSubmit={(event) => event.preventDefault()}>
          <label for={selectId}>Application</label>
          <select
            id={selectId}
            value={selected}
            disabled={phase.kind === 'sending'}
            onChange={(event) => {
              const picker = event.currentTarget as HTMLSelectElement;
              if (event.isTrusted) setSelected(picker.value);
              else picker.value = selected;
            }}
          >
            {applications.map((application) => (
              <option key={application.id} value={application.id}>
                {application.name}
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
                disabled={phase.kind === 'sending'}
                onInput={(event) => {
                  const field = event.currentTarget as HTMLInputElement;
                  if (event.isTrusted) setNewName(field.value);
                  else field.value = newName;
                }}
              />
            </>
          )}
          {selectedApplication?.environment && (
            <p class={`muted environment environment-${selectedApplication.environment}`}>
              {environmentLabel(selectedApplication.environment)}
              {selectedApplication.environment !== offer.mode ? `: this ${modeLabel(offer.mode).toLowerCase()} key does not belong here.` : '.'}
            </p>
          )}
          {selectedApplication?.stripe && (
            <p class="muted">
              Replaces its current key <code>{selectedApplication.stripe.maskedKey}</code> ({statusLabel(selectedApplication.stripe.status).toLowerCase()}).
              {selectedApplication.stripe.rotationDue && <span class="rotation-due"> {ROTATION_DUE}.</span>}
            </p>
          )}
          <button
            type="submit"
            class="primary"
            disabled={phase.kind === 'sending'}
            aria-busy={phase.kind === 'sending'}
            onClick={(event) => {
              event.preventDefault(); // no submit event: this click is the only way to send
              if (event.isTrusted) void send();
            }}
          >
            {phase.kind === 'failed' && isRetryable(phase.error) ? 'Send to Serval again' : 'Send to Serval'}
          </button>
        </form>
      )}

      {phase.kind === 'done' && (
        // Not "Done": the card sits inside Stripe's dialog, whose own button is called that.
        <button type="button" class="secondary" onClick={onDismiss}>
          Close this offer
        </button>
      )}
    </section>
  );
}

/** Warnings the card says in its own words around the verdict: the secret-key note, the live badge, Also update. */
const SAID_ELSEWHERE = new Set(['secret_key_full_access', 'live_mode', ACCOUNT_USED_ELSEWHERE]);

type AlsoUpdatePhase =
  | { kind: 'offered' }
  | { kind: 'sending' }
  | { kind: 'done'; result: RotationResult }
  | { kind: 'failed'; error: ServalError };

/**
 * Other applications still hold an older key of this key's account: one click (a person's)
 * gives them this key too, through POST /api/stripe/rotate — all of them or none.
 */
function AlsoUpdate({ holders, apiKey, client }: { holders: OlderKeyHolder[]; apiKey: string; client: CardClient }) {
  const [state, setState] = useState<AlsoUpdatePhase>({ kind: 'offered' });
  if (holders.length === 0) return null;
  const names = listNames(holders.map((h) => h.name));

  async function update(): Promise<void> {
    setState({ kind: 'sending' });
    const reply = await client.rotateKey(
      holders.map((h) => h.id),
      apiKey,
    );
    setState(reply.ok ? { kind: 'done', result: reply.data } : { kind: 'failed', error: reply.error });
  }

  if (state.kind === 'done') {
    const updated = holders.filter((h) => state.result.integrations.some((i) => i.applicationId === h.id));
    return (
      <div class="also-update">
        <p class="ok">
          Also updated {listNames(updated.map((h) => h.name))}: {updated.length === 1 ? 'it now holds' : 'they now hold'} this key.
        </p>
      </div>
    );
  }

  return (
    <div class="also-update">
      <p>
        {holders.length === 1 ? 'Another application still holds' : `${holders.length} other applications still hold`} an older key of this
        account:
      </p>
      <ul>
        {holders.map((h) => (
          <li key={h.id}>
            {h.name} <code>{h.maskedKey}</code>
          </li>
        ))}
      </ul>
      {state.kind === 'sending' && <p>Updating {names}…</p>}
      {state.kind === 'failed' && <ErrorMessage error={state.error} announce={false} />}
      <button
        type="button"
        class="primary"
        disabled={state.kind === 'sending'}
        aria-busy={state.kind === 'sending'}
        onClick={(event) => {
          if (event.isTrusted) void update();
        }}
      >
        Also update
      </button>
    </div>
  );
}
