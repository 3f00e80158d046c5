/**
 * Alerts (admins): where alerts go. Add endpoint (URL, kind, events); the signing secret, shown
 * once after adding; each endpoint's recent deliveries (event, status, attempts, the last answer);
 * Remove. The backend judges every URL (https, no private addresses) and says why it refuses one.
 */
import { useEffect, useState } from 'preact/hooks';
import { ALERT_EVENT_LABELS, ALERT_EVENT_TYPES, type AlertDelivery, type AlertEndpoint, type AlertEventType, type AlertKind } from '../../shared/alerts.js';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatTime } from '../../ui/labels';
import { errorOf, type ConsoleApi } from './api';

const DEFAULT_EVENTS: AlertEventType[] = ['integration.broken', 'integration.recovered', 'integration.key_expiring'];

export function Alerts({ api }: { api: ConsoleApi }) {
  const [endpoints, setEndpoints] = useState<AlertEndpoint[] | null>(null);
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [error, setError] = useState<ServalError | null>(null);

  useEffect(() => {
    api.alertEndpoints().then(setEndpoints, (e) => setError(errorOf(e)));
  }, [api]);

  async function remove(endpoint: AlertEndpoint) {
    setError(null);
    try {
      await api.removeAlertEndpoint(endpoint.id);
      setEndpoints((list) => list?.filter((e) => e.id !== endpoint.id) ?? null);
    } catch (e) {
      setError(errorOf(e));
    }
  }

  return (
    <>
      <div class="page-head">
        <h1>Alerts</h1>
        {!adding && (
          <button
            type="button"
            class="primary"
            onClick={() => {
              setSecret(null);
              setAdding(true);
            }}
          >
            Add endpoint
          </button>
        )}
      </div>
      <p class="muted">A webhook or a Slack channel hears when a stored key breaks, recovers, falls due or is about to expire.</p>
      {adding && (
        <AddEndpoint
          api={api}
          onAdded={(endpoint, signingSecret) => {
            setEndpoints((list) => [...(list ?? []), endpoint]);
            setSecret({ url: endpoint.url, secret: signingSecret });
            setAdding(false);
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      {secret && (
        <section class="card" aria-labelledby="secret-title">
          <h2 id="secret-title">Signing secret</h2>
          <p>
            Requests to {secret.url} carry <code>Serval-Signature</code>, signed with this secret. Keep it in the receiver: it is shown only now.
          </p>
          <input aria-label="Signing secret" readOnly value={secret.secret} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" class="secondary" onClick={() => setSecret(null)}>
            Done
          </button>
        </section>
      )}
      {error && <ErrorMessage error={error} />}
      {endpoints === null && !error && <p class="muted">Loading…</p>}
      {endpoints?.length === 0 && <p class="muted">No alert endpoints yet.</p>}
      {endpoints && endpoints.length > 0 && (
        <ul class="people">
          {endpoints.map((endpoint) => (
            <Endpoint key={endpoint.id} api={api} endpoint={endpoint} onRemove={() => remove(endpoint)} />
          ))}
        </ul>
      )}
    </>
  );
}

function AddEndpoint({ api, onAdded, onCancel }: { api: ConsoleApi; onAdded: (e: AlertEndpoint, secret: string) => void; onCancel: () => void }) {
  const [url, setUrl] = useState('');
  const [kind, setKind] = useState<AlertKind>('webhook');
  const [events, setEvents] = useState<AlertEventType[]>(DEFAULT_EVENTS);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ServalError | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.createAlertEndpoint({ url: url.trim(), kind, events });
      onAdded(created.endpoint, created.secret);
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit} aria-label="Add endpoint">
      <label>
        URL
        <input type="url" required value={url} placeholder="https://hooks.example.com/serval" onInput={(e) => setUrl(e.currentTarget.value)} />
      </label>
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value as AlertKind)}>
          <option value="webhook">Webhook (signed JSON)</option>
          <option value="slack">Slack incoming webhook</option>
        </select>
      </label>
      <fieldset>
        <legend>Events</legend>
        {ALERT_EVENT_TYPES.map((type) => (
          <label key={type} class="check">
            <input
              type="checkbox"
              checked={events.includes(type)}
              onChange={(e) => setEvents((list) => (e.currentTarget.checked ? [...list, type] : list.filter((t) => t !== type)))}
            />
            {ALERT_EVENT_LABELS[type]} <code>{type}</code>
          </label>
        ))}
      </fieldset>
      {error && <ErrorMessage error={error} />}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy || events.length === 0}>
          Add endpoint
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Endpoint({ api, endpoint, onRemove }: { api: ConsoleApi; endpoint: AlertEndpoint; onRemove: () => void }) {
  const [deliveries, setDeliveries] = useState<AlertDelivery[] | null>(null);
  const [error, setError] = useState<ServalError | null>(null);
  const nameId = `endpoint-${endpoint.id}`;

  async function load() {
    setError(null);
    try {
      setDeliveries(await api.alertDeliveries(endpoint.id));
    } catch (e) {
      setError(errorOf(e));
    }
  }

  return (
    <li class="person">
      <div class="person-who">
        <strong id={nameId}>{endpoint.url}</strong> <span class="pill">{endpoint.kind === 'slack' ? 'Slack' : 'Webhook'}</span>
        <p class="muted">
          {endpoint.events.join(', ')} · added {formatTime(endpoint.createdAt)}
        </p>
        {error && <ErrorMessage error={error} />}
        {deliveries && (
          <table aria-label={`Deliveries to ${endpoint.url}`}>
            <thead>
              <tr>
                <th>Event</th>
                <th>Status</th>
                <th>Attempts</th>
                <th>Last answer</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.length === 0 && (
                <tr>
                  <td colSpan={4} class="muted">
                    Nothing sent yet.
                  </td>
                </tr>
              )}
              {deliveries.map((d) => (
                <tr key={d.id}>
                  <td>
                    {d.event} <span class="muted">{formatTime(d.createdAt)}</span>
                  </td>
                  <td>{d.status === 'pending' && d.nextAttemptAt ? `pending, next ${formatTime(d.nextAttemptAt)}` : d.status}</td>
                  <td>{d.attempts}</td>
                  <td>{d.lastAnswer ? (d.lastAnswer.error ?? `HTTP ${d.lastAnswer.status}`) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div class="person-controls">
        <button type="button" class="secondary" aria-describedby={nameId} onClick={load}>
          {deliveries ? 'Refresh deliveries' : 'Deliveries'}
        </button>
        <button type="button" class="secondary" aria-describedby={nameId} onClick={onRemove}>
          Remove
        </button>
      </div>
    </li>
  );
}
