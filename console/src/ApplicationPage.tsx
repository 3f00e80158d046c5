/** One application: tabs Overview and API Integration (the tab is in the path). */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Application } from '../../shared/api.js';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatTime } from '../../ui/labels';
import { Verdict } from '../../ui/Verdict';
import { ConsoleApiError, type ConsoleApi } from './api';
import { Link, useNavigate } from './navigation';
import type { ApplicationTab } from './routes';
import { StripeIntegration } from './StripeIntegration';

const TABS: { tab: ApplicationTab; label: string }[] = [
  { tab: 'overview', label: 'Overview' },
  { tab: 'api-integration', label: 'API Integration' },
];

export function ApplicationPage({ api, id, tab }: { api: ConsoleApi; id: string; tab: ApplicationTab }) {
  const navigate = useNavigate();
  const [application, setApplication] = useState<Application | null>(null);
  const [error, setError] = useState<ServalError | null>(null);
  const tabRefs = useRef<(HTMLAnchorElement | null)[]>([]);

  useEffect(() => {
    setApplication(null);
    api.application(id).then(setApplication, (e) => setError(e instanceof ConsoleApiError ? e.error : { code: 'internal_error', message: String(e) }));
  }, [api, id]);

  if (error) return <ErrorMessage error={error} />;
  if (!application) return <p class="muted">Loading…</p>;

  /** Arrow keys move between tabs, as in any tab list. */
  function onTabKey(event: KeyboardEvent, index: number) {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    event.preventDefault();
    const next = (index + (event.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length;
    navigate({ page: 'application', id, tab: TABS[next].tab });
    queueMicrotask(() => tabRefs.current[next]?.focus());
  }

  return (
    <>
      <p class="breadcrumb">
        <Link to={{ page: 'applications' }}>Applications</Link> /
      </p>
      <h1>{application.name}</h1>
      <div role="tablist" class="tabs" aria-label="Application">
        {TABS.map((entry, index) => (
          <a
            key={entry.tab}
            role="tab"
            id={`tab-${entry.tab}`}
            ref={(el) => {
              tabRefs.current[index] = el;
            }}
            href={`/applications/${id}${entry.tab === 'overview' ? '' : `/${entry.tab}`}`}
            aria-selected={entry.tab === tab}
            aria-controls="tab-panel"
            tabIndex={entry.tab === tab ? 0 : -1}
            onKeyDown={(event) => onTabKey(event, index)}
            onClick={(event) => {
              event.preventDefault();
              navigate({ page: 'application', id, tab: entry.tab });
            }}
          >
            {entry.label}
          </a>
        ))}
      </div>
      <div role="tabpanel" id="tab-panel" aria-labelledby={`tab-${tab}`}>
        {tab === 'overview' ? (
          <>
            <p>Created {formatTime(application.createdAt)}.</p>
            {application.environment && <p>Environment: {application.environment}</p>}
            {application.stripeAccount && (
              <p>
                Stripe account (organization keys): <code>{application.stripeAccount}</code>
              </p>
            )}
            {application.stripe ? (
              <Verdict integration={application.stripe} validation={null} facts newKeyStep="save the new key on the API Integration tab" />
            ) : (
              <p>
                Stripe is not connected. <Link to={{ page: 'application', id, tab: 'api-integration' }}>Connect it on the API Integration tab</Link>.
              </p>
            )}
          </>
        ) : (
          <StripeIntegration api={api} application={application} onChanged={(stripe) => setApplication({ ...application, stripe })} />
        )}
      </div>
    </>
  );
}
