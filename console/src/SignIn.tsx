/**
 * Signing in to the console, the three ways the backend offers (GET /api/session/methods):
 * a passkey; SSO when it is set up (a full-page navigation to the identity provider); a pairing
 * code from the server's shell (npm run pair). A console opened at an address that can't hold a
 * passkey (127.0.0.1) names the one that can instead of offering the passkey button. An SSO that
 * failed comes back as `/sign-in?error=<code>`, shown here.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Person, SignInMethods } from '../../shared/api.js';
import { ERRORS, isErrorCode } from '../../shared/errors.js';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { errorOf, type ConsoleApi } from './api';
import { passkeyError, type WebAuthn } from './webauthn';

type Props = { api: ConsoleApi; webauthn: WebAuthn; onSignedIn: (person: Person) => void };

/** The error an SSO callback sent back in `?error=<code>`, in the shared catalogue's words; then gone from the URL. */
function errorFromQuery(): ServalError | null {
  const code = new URLSearchParams(location.search).get('error');
  if (code === null) return null;
  history.replaceState(history.state, '', location.pathname + location.hash);
  if (!isErrorCode(code)) return { code: 'sso_failed', message: ERRORS.sso_failed.message };
  return { code, message: ERRORS[code].message };
}

export function SignIn({ api, webauthn, onSignedIn }: Props) {
  const [methods, setMethods] = useState<SignInMethods | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState<null | 'code' | 'passkey'>(null);
  const [error, setError] = useState<ServalError | null>(errorFromQuery);

  useEffect(() => {
    api.signInMethods().then(setMethods, (e) => setError(errorOf(e)));
  }, [api]);

  async function attempt(kind: 'code' | 'passkey', signIn: () => Promise<Person>) {
    setBusy(kind);
    setError(null);
    try {
      onSignedIn(await signIn());
    } catch (e) {
      setError(e instanceof Error && !('error' in e) ? passkeyError(e) : errorOf(e));
      setBusy(null);
    }
  }

  function submitCode(event: Event) {
    event.preventDefault();
    return attempt('code', () => api.signInWithCode(code.trim()));
  }

  const withPasskey = () =>
    attempt('passkey', async () => {
      const { flow, options } = await api.passkeySignInStart();
      const response = await webauthn.startAuthentication({ optionsJSON: options as Parameters<WebAuthn['startAuthentication']>[0]['optionsJSON'] });
      return api.signInWithPasskey(flow, response);
    });

  return (
    <main class="sign-in">
      <h1>Serval console</h1>
      {error && <ErrorMessage error={error} />}
      {methods?.passkey &&
        (methods.passkeyOrigin ? (
          <p>
            Passkeys work at <a href={`${methods.passkeyOrigin}/sign-in`}>{methods.passkeyOrigin}</a>, not at this address: open the console there to sign in
            with a passkey.
          </p>
        ) : (
          <div class="row">
            <button type="button" class="primary" disabled={busy !== null} onClick={withPasskey}>
              {busy === 'passkey' ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
            </button>
          </div>
        ))}
      {methods?.sso && (
        // A full-page navigation: the browser leaves for the identity provider and comes back signed in (or with ?error=).
        // Not a form: the console's CSP (form-action 'self') also applies to a form's redirects, and would stop it.
        <div class="row">
          <button type="button" class="secondary" disabled={busy !== null} onClick={() => location.assign('/api/session/oidc/start')}>
            Sign in with SSO
          </button>
        </div>
      )}
      <h2>With a pairing code</h2>
      <p class="muted">
        Run <code>npm run pair</code> on the Serval backend, or ask someone signed in for one (Devices → Pair a browser).
      </p>
      <form class="stack" onSubmit={submitCode}>
        <label for="pairing-code">Pairing code</label>
        <input id="pairing-code" name="code" autocomplete="off" spellcheck={false} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
        <div>
          <button type="submit" class="primary" disabled={busy !== null}>
            {busy === 'code' ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </main>
  );
}
