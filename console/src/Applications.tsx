/** Every application with its Stripe status, and New application → Name → Create (a member or above). */
import { useEffect, useState } from 'preact/hooks';
import type { Application } from '../../shared/api.js';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { modeLabel } from '../../ui/labels';
import { StatusPill } from '../../ui/StatusPill';
import { ConsoleApiError, type ConsoleApi } from './api';
import { Link, useNavigate } from './navigation';
import { NotAllowed, useAllowed } from './roles';

export function Applications({ api }: { api: ConsoleApi }) {
  const navigate = useNavigate();
  const [applications, setApplications] = useState<Application[] | null>(null);
  const [error, setError] = useState<ServalError | null>(null);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const mayCreate = useAllowed('write_test');

  useEffect(() => {
    api.applications().then(setApplications, (e) => setError(e instanceof ConsoleApiError ? e.error : { code: 'internal_error', message: String(e) }));
  }, [api]);

  async function create(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const application = await api.createApplication(name);
      navigate({ page: 'application', id: application.id, tab: 'api-integration' });
    } catch (e) {
      setError(e instanceof ConsoleApiError ? e.error : { code: 'internal_error', message: String(e) });
      setBusy(false);
    }
  }

  return (
    <>
      <div class="page-head">
        <h1>Applications</h1>
        {mayCreate && !creating && (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            New application
          </button>
        )}
      </div>
      {!mayCreate && <NotAllowed permission="write_test" />}
      {creating && (
        <form class="stack new-application" onSubmit={create}>
          <label for="application-name">Name</label>
          {/* biome-ignore lint/a11y/noAutofocus: the field appears in answer to the person's New application click, and focus follows it */}
          <input id="application-name" required maxLength={100} autoFocus value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <div class="row">
            <button type="submit" class="primary" disabled={busy}>
              Create
            </button>
            <button type="button" class="secondary" onClick={() => setCreating(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {error && <ErrorMessage error={error} />}
      {applications === null && !error && <p class="muted">Loading…</p>}
      {applications?.length === 0 && <p class="muted">No applications yet.</p>}
      {applications && applications.length > 0 && (
        <ul class="applications">
          {applications.map((application) => (
            <li class="application" key={application.id}>
              <div class="application-head">
                <Link to={{ page: 'application', id: application.id, tab: 'overview' }}>
                  <span class="application-name">{application.name}</span>
                </Link>
                <StatusPill integration={application.stripe} />
                {application.stripe && <span class={`pill mode-${application.stripe.mode}`}>{modeLabel(application.stripe.mode)}</span>}
                {application.stripe && <code>{application.stripe.maskedKey}</code>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
