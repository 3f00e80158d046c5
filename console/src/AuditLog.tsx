/** The audit log, newest first, a page at a time (the API takes a limit; each page asks for more). */
import { useEffect, useState } from 'preact/hooks';
import type { AuditEvent } from '../../shared/api.js';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatTime } from '../../ui/labels';
import { ConsoleApiError, type ConsoleApi } from './api';

export const AUDIT_PAGE_SIZE = 50;
const AUDIT_MAX = 500; // the API's limit

/** What an event's detail says, in one line: masked keys only ever arrive here. */
function describe(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, value]) => value !== null && value !== undefined && typeof value !== 'object')
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(' · ');
}

export function AuditLog({ api }: { api: ConsoleApi }) {
  const [limit, setLimit] = useState(AUDIT_PAGE_SIZE);
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<ServalError | null>(null);

  useEffect(() => {
    api.audit(limit).then(
      (list) => setEvents([...list].sort((a, b) => b.at.localeCompare(a.at))),
      (e) => setError(e instanceof ConsoleApiError ? e.error : { code: 'internal_error', message: String(e) }),
    );
  }, [api, limit]);

  const more = events !== null && events.length >= limit && limit < AUDIT_MAX;
  return (
    <>
      <h1>Audit log</h1>
      {error && <ErrorMessage error={error} />}
      {events === null && !error && <p class="muted">Loading…</p>}
      {events?.length === 0 && <p class="muted">Nothing has happened yet.</p>}
      {events && events.length > 0 && (
        <ol class="audit">
          {events.map((event) => (
            <li key={event.id} class="audit-event">
              <time dateTime={event.at}>{formatTime(event.at)}</time> <strong>{event.action}</strong>
              {event.person && <span> by {event.person.name}</span>}
              <span class="muted"> {describe(event.detail)}</span>
            </li>
          ))}
        </ol>
      )}
      {more && (
        <button type="button" class="secondary" onClick={() => setLimit(Math.min(limit + AUDIT_PAGE_SIZE, AUDIT_MAX))}>
          Show older events
        </button>
      )}
    </>
  );
}
