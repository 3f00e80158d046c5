/**
 * Once paired: is the backend there, which device this is and whose (name, role), every application with its Stripe
 * status, Re-check, the default application for new keys, the link to create a restricted key,
 * and Disconnect.
 */
import { useEffect, useId, useState } from 'preact/hooks';
import type { Application } from '../../shared/api.js';
import { createRestrictedKeyUrl } from '../../shared/permissions.js';
import type { ServalError } from '../../ui/errors';
import type { PairingState, StatusReport } from '../messaging/protocol';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { accountLabel, environmentLabel, formatTime, keyExpiryText, modeLabel, permissionLabels, ROTATION_DUE, rotationDueText } from '../../ui/labels';
import { StatusPill } from '../../ui/StatusPill';
import { changeRefusal, personLabel } from '../people/person';
import type { UiClient } from './ui-client';

export type StatusPanelProps = {
  client: UiClient;
  state: PairingState;
  variant: 'popup' | 'options';
  onStateChange(state: PairingState): void;
};

type Load = { kind: 'loading' } | { kind: 'loaded'; report: StatusReport } | { kind: 'failed'; error: ServalError };
type Recheck = { busy: boolean; error: ServalError | null };

export function StatusPanel({ client, state, variant, onStateChange }: StatusPanelProps) {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [rechecks, setRechecks] = useState<Record<string, Recheck>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [disconnecting, setDisconnecting] = useState(false);
  /** A failed change of the default application or a failed Disconnect: shown, not swallowed. */
  const [actionError, setActionError] = useState<ServalError | null>(null);
  const defaultId = useId();

  async function refresh(): Promise<void> {
    setLoad({ kind: 'loading' });
    const reply = await client.getStatus();
    setLoad(reply.ok ? { kind: 'loaded', report: reply.data } : { kind: 'failed', error: reply.error });
  }

  useEffect(() => {
    void refresh();
  }, []);

  async function recheck(application: Application): Promise<void> {
    setRechecks((all) => ({ ...all, [application.id]: { busy: true, error: null } }));
    const reply = await client.recheck(application.id);
    setRechecks((all) => ({ ...all, [application.id]: { busy: false, error: reply.ok ? null : reply.error } }));
    if (reply.ok) {
      setLoad((current) =>
        current.kind === 'loaded'
          ? {
              kind: 'loaded',
              report: {
                ...current.report,
                applications: current.report.applications.map((a) => (a.id === application.id ? { ...a, stripe: reply.data.integration } : a)),
              },
            }
          : current,
      );
    }
  }

  async function setDefault(applicationId: string | null): Promise<void> {
    const reply = await client.setDefaultApplication(applicationId);
    setActionError(reply.ok ? null : reply.error);
    if (reply.ok) onStateChange(reply.data);
  }

  async function disconnect(): Promise<void> {
    setDisconnecting(true);
    const reply = await client.disconnect();
    setDisconnecting(false);
    setActionError(reply.ok ? null : reply.error);
    if (reply.ok) onStateChange(reply.data);
  }

  async function offerAgain(): Promise<void> {
    const reply = await client.offerAgainOnActiveTab();
    setNotice(reply.ok ? 'Looking for keys on this page again.' : reply.error.message);
  }

  const applications = load.kind === 'loaded' ? load.report.applications : [];
  // The backend's answer of just now, else what the worker last kept.
  const person = (load.kind === 'loaded' ? load.report.status.person : null) ?? state.person;
  const readOnly = changeRefusal(person);

  return (
    <div class="status">
      <section aria-labelledby="backend-heading">
        <h2 id="backend-heading">Backend</h2>
        <p>
          <code>{state.backendUrl}</code> {load.kind === 'loading' && <span role="status">Checking…</span>}
          {load.kind === 'loaded' && <span class="reachable">Reachable{load.report.version ? ` · version ${load.report.version}` : ''}</span>}
        </p>
        {load.kind === 'failed' && <ErrorMessage error={load.error} />}
        {state.device && <p>This device: {state.device.name}</p>}
        {person && <p class="paired-as">Paired as {personLabel(person)}</p>}
        {load.kind === 'loaded' && (
          <p class="muted">
            {load.report.status.integrations.connected} connected, {load.report.status.integrations.needsAttention} needing attention
            {load.report.status.integrations.expiringSoon ? `, ${load.report.status.integrations.expiringSoon} stopping working within 24 h` : ''}
            {load.report.status.integrations.rotationDue ? `, ${load.report.status.integrations.rotationDue} due for rotation` : ''} · checked{' '}
            {formatTime(load.report.checkedAt)}
          </p>
        )}
        <button type="button" class="secondary" onClick={() => void refresh()} disabled={load.kind === 'loading'}>
          Refresh
        </button>
      </section>

      <section aria-labelledby="applications-heading">
        <h2 id="applications-heading">Applications</h2>
        {readOnly && <p class="muted">{readOnly}</p>}
        {load.kind === 'loaded' && applications.length === 0 && (
          <p class="muted">No applications yet. Reveal a key on the Stripe Dashboard and send it to a new application.</p>
        )}
        <ul class="applications">
          {applications.map((application) => {
            const stripe = application.stripe;
            const check = rechecks[application.id];
            const expiry = keyExpiryText(stripe?.keyExpiresAt ?? null);
            return (
              <li key={application.id} class="application">
                <div class="application-head">
                  <h3 class="application-name">{application.name}</h3>
                  <StatusPill integration={stripe} />
                  {stripe && <span class={`pill mode-${stripe.mode}`}>{modeLabel(stripe.mode)}</span>}
                  {stripe?.rotationDue && (
                    <span class="pill rotation-due" title={rotationDueText(stripe.rotationDueAt)}>
                      {ROTATION_DUE}
                    </span>
                  )}
                  {application.environment && <span class="pill environment">{environmentLabel(application.environment)}</span>}
                  {expiry && (
                    <span class="pill key-expiring" title={formatTime(stripe?.keyExpiresAt ?? null)}>
                      {expiry}
                    </span>
                  )}
                </div>
                {!stripe && application.stripeAccount && <p class="muted">Stripe account {application.stripeAccount}</p>}
                {stripe && (
                  <>
                    <p class="muted">
                      <code>{stripe.maskedKey}</code> · <span class="account">{accountLabel(stripe)}</span> · last check {formatTime(stripe.lastValidatedAt)}
                    </p>
                    {expiry && (
                      <p class="warn">
                        {expiry} ({formatTime(stripe.keyExpiresAt)}): this key was rotated in Stripe. Send this application the new key.
                      </p>
                    )}
                    {stripe.missingPermissions.length > 0 && <p class="warn">Missing: {permissionLabels(stripe.missingPermissions).join(', ')}</p>}
                    {stripe.lastError && <p class="warn">{stripe.lastError.message}</p>}
                    {stripe.rotationDue && <p class="warn">{rotationDueText(stripe.rotationDueAt)}: create a new key in Stripe and send it to Serval.</p>}
                    {!readOnly && (
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Re-check ${application.name}`}
                        disabled={check?.busy}
                        onClick={() => void recheck(application)}
                      >
                        {check?.busy ? 'Checking…' : 'Re-check'}
                      </button>
                    )}
                    {check?.error && <ErrorMessage error={check.error} />}
                  </>
                )}
              </li>
            );
          })}
        </ul>
        {applications.length > 0 && (
          <p class="field">
            <label for={defaultId}>Default application for new keys</label>
            <select
              id={defaultId}
              value={state.defaultApplicationId ?? ''}
              onChange={(e) => void setDefault((e.currentTarget as HTMLSelectElement).value || null)}
            >
              <option value="">None (choose each time)</option>
              {applications.map((application) => (
                <option key={application.id} value={application.id}>
                  {application.name}
                </option>
              ))}
            </select>
          </p>
        )}
      </section>

      <section aria-labelledby="stripe-heading">
        <h2 id="stripe-heading">Stripe</h2>
        <p>Opens Stripe's page for a new restricted key, pre-filled with the five permissions Serval needs:</p>
        <ul class="links">
          <li>
            <a href={createRestrictedKeyUrl('test')} target="_blank" rel="noopener noreferrer">
              Create a restricted key for Serval (test mode)
            </a>
          </li>
          <li>
            <a href={createRestrictedKeyUrl('live')} target="_blank" rel="noopener noreferrer">
              Create a restricted key for Serval (live mode)
            </a>
          </li>
        </ul>
        {variant === 'popup' && (
          <button type="button" class="secondary" onClick={() => void offerAgain()}>
            Offer keys on this page again
          </button>
        )}
        {notice && <p role="status">{notice}</p>}
      </section>

      {actionError && <ErrorMessage error={actionError} />}
      <footer class="actions">
        {variant === 'popup' && (
          <button type="button" class="link" onClick={() => void client.openOptions()}>
            Options
          </button>
        )}
        <button type="button" class="danger" onClick={() => void disconnect()} disabled={disconnecting}>
          Disconnect
        </button>
      </footer>
    </div>
  );
}
