/** Sign-in with a pairing code (npm run pair): the browser is paired as a device. */
import { useState } from 'preact/hooks';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { ConsoleApiError, type ConsoleApi, type SessionDevice } from './api';

export function SignIn({ api, onSignedIn }: { api: ConsoleApi; onSignedIn: (device: SessionDevice) => void }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ServalError | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn(code.trim()));
    } catch (e) {
      setError(e instanceof ConsoleApiError ? e.error : { code: 'internal_error', message: String(e) });
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <h1>Serval console</h1>
      <p class="muted">
        Sign in with a pairing code: run <code>npm run pair</code> on the Serval backend.
      </p>
      <form class="stack" onSubmit={submit}>
        <label for="pairing-code">Pairing code</label>
        <input id="pairing-code" name="code" autocomplete="off" spellcheck={false} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
        <div>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
      {error && <ErrorMessage error={error} />}
    </main>
  );
}
