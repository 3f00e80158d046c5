/**
 * The console: who is signed in (GET /api/me), the navigation, and the page for the path.
 * Routing is the History API over the paths the backend serves the console at. Signed in means
 * holding a session secret (session-secret.ts) that the backend still takes: without one the
 * sign-in page shows at once, and any 401 brings it back. An invite link's page needs no session.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Person } from '../../shared/api.js';
import type { Permission } from '../../shared/roles.js';
import { createConsoleApi, type ConsoleApi } from './api';
import { ApplicationPage } from './ApplicationPage';
import { Applications } from './Applications';
import { AuditLog } from './AuditLog';
import { Devices } from './Devices';
import { Header } from './Header';
import { Invite } from './Invite';
import { NavigateContext } from './navigation';
import { People } from './People';
import { Alerts } from './Alerts';
import { NotAllowed, RoleContext } from './roles';
import { pathFor, routeFor, type Route } from './routes';
import { adoptSecretFromFragment, forgetSecret, readSecret } from './session-secret';
import { SignIn } from './SignIn';
import { browserWebAuthn, type WebAuthn } from './webauthn';

export type AppProps = {
  /** Tests pass a fake fetch; the page uses the browser's. */
  fetch?: typeof fetch;
  /** Tests pass a fake authenticator; the page uses the browser's WebAuthn. */
  webauthn?: WebAuthn;
};

type Session = { state: 'checking' } | { state: 'signed-out' } | { state: 'signed-in'; person: Person };

const TITLES: Record<Route['page'], string> = {
  applications: 'Applications',
  application: 'Application',
  devices: 'Devices',
  people: 'People',
  audit: 'Audit log',
  alerts: 'Alerts',
  'sign-in': 'Sign in',
  invite: 'Add a passkey',
};

export function App({ fetch: fetchImpl, webauthn = browserWebAuthn }: AppProps) {
  // An SSO sign-in arrives as /#session=<secret>: kept, and gone from the URL, before anything else.
  const [session, setSession] = useState<Session>(() => {
    adoptSecretFromFragment();
    return readSecret() ? { state: 'checking' } : { state: 'signed-out' };
  });
  const [route, setRoute] = useState<Route>(() => routeFor(location.pathname));
  const api: ConsoleApi = useMemo(() => createConsoleApi(fetchImpl, () => setSession({ state: 'signed-out' })), [fetchImpl]);

  const navigate = (next: Route, replace = false) => {
    const path = pathFor(next);
    if (path !== location.pathname || location.hash) history[replace ? 'replaceState' : 'pushState'](null, '', path);
    setRoute(next);
  };

  useEffect(() => {
    const onPop = () => setRoute(routeFor(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    if (session.state !== 'checking') return;
    api.me().then(
      (me) => setSession({ state: 'signed-in', person: me.person }),
      () => setSession({ state: 'signed-out' }),
    );
  }, [api, session.state]);

  // The page's title names the page, for the tab strip and screen readers.
  useEffect(() => {
    const page = route.page === 'invite' ? 'invite' : session.state === 'signed-in' ? route.page : 'sign-in';
    document.title = `${TITLES[page]} · Serval`;
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

  const signedIn = (person: Person) => {
    setSession({ state: 'signed-in', person });
    if (route.page === 'sign-in' || route.page === 'invite') navigate({ page: 'applications' }, true);
  };

  if (route.page === 'invite') return <Invite api={api} webauthn={webauthn} onSignedIn={signedIn} />;
  if (session.state === 'checking') return <p class="muted loading">Loading…</p>;
  if (session.state === 'signed-out') return <SignIn api={api} webauthn={webauthn} onSignedIn={signedIn} />;

  const signOut = async () => {
    await api.signOut().catch(() => {});
    setSession({ state: 'signed-out' });
    navigate({ page: 'sign-in' });
  };
  /** The session ended here (this session revoked, or its person disabled): back to sign-in. */
  const ended = () => {
    forgetSecret();
    setSession({ state: 'signed-out' });
    navigate({ page: 'sign-in' });
  };
  const meChanged = (me: Person) => (me.disabledAt ? ended() : setSession({ state: 'signed-in', person: me }));
  const { person } = session;
  const admin = person.role === 'admin';

  return (
    <RoleContext.Provider value={person.role}>
      <NavigateContext.Provider value={navigate}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <Header person={person} route={route} onSignOut={signOut} />
        <main id="main" tabIndex={-1}>
          {route.page === 'application' ? (
            <ApplicationPage api={api} id={route.id} tab={route.tab} />
          ) : route.page === 'devices' ? (
            <Devices api={api} admin={admin} onSignedOut={ended} />
          ) : route.page === 'people' ? (
            admin ? (
              <People api={api} me={person} onMeChanged={meChanged} />
            ) : (
              <Forbidden title="People" />
            )
          ) : route.page === 'alerts' ? (
            admin ? (
              <Alerts api={api} />
            ) : (
              <Forbidden title="Alerts" permission="manage_alerts" />
            )
          ) : route.page === 'audit' ? (
            admin ? (
              <AuditLog api={api} />
            ) : (
              <Forbidden title="Audit log" />
            )
          ) : (
            <Applications api={api} />
          )}
        </main>
      </NavigateContext.Provider>
    </RoleContext.Provider>
  );
}

/** An admin's page opened by someone else (a link, the address bar): what it is, and why it stays closed. */
function Forbidden({ title, permission = 'administer' }: { title: string; permission?: Permission }) {
  return (
    <>
      <h1>{title}</h1>
      <NotAllowed permission={permission} />
    </>
  );
}
