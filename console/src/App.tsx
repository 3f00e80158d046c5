/**
 * The console: who is signed in (GET /api/session), the navigation, and the page for the path.
 * Routing is the History API over the paths the backend serves the console at.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createConsoleApi, type ConsoleApi, type SessionDevice } from './api';
import { ApplicationPage } from './ApplicationPage';
import { Applications } from './Applications';
import { AuditLog } from './AuditLog';
import { Devices } from './Devices';
import { Link, NavigateContext } from './navigation';
import { pathFor, routeFor, type Route } from './routes';
import { SignIn } from './SignIn';

export type AppProps = {
  /** Tests pass a fake fetch; the page uses the browser's. */
  fetch?: typeof fetch;
};

type Session = { state: 'checking' } | { state: 'signed-out' } | { state: 'signed-in'; device: SessionDevice };

export function App({ fetch: fetchImpl }: AppProps) {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const [route, setRoute] = useState<Route>(() => routeFor(location.pathname));
  const api: ConsoleApi = useMemo(() => createConsoleApi(fetchImpl, () => setSession({ state: 'signed-out' })), [fetchImpl]);

  const navigate = (next: Route, replace = false) => {
    const path = pathFor(next);
    if (path !== location.pathname) history[replace ? 'replaceState' : 'pushState'](null, '', path);
    setRoute(next);
  };

  useEffect(() => {
    const onPop = () => setRoute(routeFor(location.pathname));
    addEventListener('popstate', onPop);
    api.session().then(
      (device) => setSession({ state: 'signed-in', device }),
      () => setSession({ state: 'signed-out' }),
    );
    return () => removeEventListener('popstate', onPop);
  }, [api]);

  // The page's title names the page, for the tab strip and screen readers.
  useEffect(() => {
    const titles: Record<Route['page'], string> = {
      applications: 'Applications',
      application: 'Application',
      devices: 'Devices',
      audit: 'Audit log',
      'sign-in': 'Sign in',
    };
    document.title = `${session.state === 'signed-in' ? titles[route.page] : 'Sign in'} · Serval`;
  }, [route, session.state]);

  // A new page moves focus to its content, so keyboard and screen-reader users start there (not on a tab switch).
  const pageKey = route.page === 'application' ? `application/${route.id}` : route.page;
  const firstPage = useRef(true);
  useEffect(() => {
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [pageKey]);

  if (session.state === 'checking') return <p class="muted loading">Loading…</p>;

  if (session.state === 'signed-out') {
    return (
      <SignIn
        api={api}
        onSignedIn={(device) => {
          setSession({ state: 'signed-in', device });
          if (route.page === 'sign-in') navigate({ page: 'applications' }, true);
        }}
      />
    );
  }

  const signOut = async () => {
    await api.signOut().catch(() => {});
    setSession({ state: 'signed-out' });
    navigate({ page: 'sign-in' });
  };
  const section = route.page === 'application' || route.page === 'sign-in' ? 'applications' : route.page;

  return (
    <NavigateContext.Provider value={navigate}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Serval</span>
        <nav aria-label="Console">
          <ul>
            <li>
              <Link to={{ page: 'applications' }} current={section === 'applications'}>
                Applications
              </Link>
            </li>
            <li>
              <Link to={{ page: 'devices' }} current={section === 'devices'}>
                Devices
              </Link>
            </li>
            <li>
              <Link to={{ page: 'audit' }} current={section === 'audit'}>
                Audit log
              </Link>
            </li>
          </ul>
        </nav>
        <span class="who muted">{session.device.name}</span>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'application' ? (
          <ApplicationPage api={api} id={route.id} tab={route.tab} />
        ) : route.page === 'devices' ? (
          <Devices api={api} thisDeviceId={session.device.id} onSignedOut={() => setSession({ state: 'signed-out' })} />
        ) : route.page === 'audit' ? (
          <AuditLog api={api} />
        ) : (
          <Applications api={api} />
        )}
      </main>
    </NavigateContext.Provider>
  );
}
