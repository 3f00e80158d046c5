/**
 * An invite link's page, `/invite#<token>`: says whom the invite is for, and **Add a passkey**
 * registers one for them and signs them in. The token stays in the fragment (never sent to a
 * server by the browser) and goes to the backend once, in a request body; once used, the page
 * leaves for Applications without keeping the link in the history.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Person } from '../../shared/api.js';
import { ERRORS } from '../../shared/errors.js';
import type { PasskeyRegistrationStart } from '../../ui/api-client';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { errorOf, type ConsoleApi } from './api';
import { passkeyError, type WebAuthn } from './webauthn';

type Props = { api: ConsoleApi; webauthn: WebAuthn; onSignedIn: (person: Person) => void };

const INVALID: ServalError = { code: 'invite_invalid', message: ERRORS.invite_invalid.message };

export function Invite({ api, webauthn, onSignedIn }: Props) {
  const [token] = useState(() => location.hash.slice(1));
  const [start, setStart] = useState<PasskeyRegistrationStart | null>(null);
  const [error, setError] = useState<ServalError | null>(token ? null : INVALID);
  const [busy, setBusy] = useState(false);

  // The registration starts when the page opens (it says whom the invite is for), so that the
  // click on Add a passkey goes straight to the browser's prompt.
  useEffect(() => {
    if (token) api.passkeyRegistrationStart(token).then(setStart, (e) => setError(errorOf(e)));
  }, [api, token]);

  async function addPasskey() {
    if (!start) return;
    setBusy(true);
    setError(null);
    let response: Awaited<ReturnType<WebAuthn['startRegistration']>>;
    try {
      response = await webauthn.startRegistration({ optionsJSON: start.options as Parameters<WebAuthn['startRegistration']>[0]['optionsJSON'] });
    } catch (e) {
      setError(passkeyError(e));
      setBusy(false);
      return;
    }
    try {
      onSignedIn(await api.passkeyRegistrationFinish(start.flow, response));
    } catch (e) {
      setError(errorOf(e));
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <h1>Serval console</h1>
      {start && (
        <>
          <p>
            This invite is for <strong>{start.person.name}</strong>, as {start.person.role === 'admin' ? 'an admin' : `a ${start.person.role}`}. Add a passkey
            to sign in: your browser or phone keeps it, and next time <strong>Sign in with a passkey</strong> is all it takes.
          </p>
          <div class="row">
            <button type="button" class="primary" disabled={busy} onClick={addPasskey}>
              {busy ? 'Waiting for your passkey…' : 'Add a passkey'}
            </button>
          </div>
        </>
      )}
      {!start && !error && <p class="muted">Loading…</p>}
      {error && <ErrorMessage error={error} />}
      {error && !start && (
        <p>
          <a href="/sign-in">Sign in another way</a>
        </p>
      )}
    </main>
  );
}
