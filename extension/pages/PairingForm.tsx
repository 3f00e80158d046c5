/**
 * Pairing, in the spirit of `stripe login`: the backend's URL and the short code it printed. A
 * Backend URL that cannot be used, or that would carry the key over plain http:// off this
 * computer, is refused here, before any request, next to the field.
 */
import { useId, useRef, useState } from 'preact/hooks';
import { clientError, type ServalError } from '../../ui/errors';
import type { PairingState } from '../messaging/protocol';
import { normalizeBackendUrl } from '../pairing/backend-url';
import { ErrorMessage } from '../../ui/ErrorMessage';
import type { UiClient } from './ui-client';

export type PairingFormProps = {
  client: UiClient;
  initialBackendUrl: string;
  revoked: boolean;
  onPaired(state: PairingState): void;
};

export function PairingForm({ client, initialBackendUrl, revoked, onPaired }: PairingFormProps) {
  const [backendUrl, setBackendUrl] = useState(initialBackendUrl);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ServalError | null>(null);
  const urlId = useId();
  const codeId = useId();
  const errorId = useId();
  const urlField = useRef<HTMLInputElement>(null);
  const urlRefused = error?.code === 'invalid_backend_url' || error?.code === 'insecure_backend_url';

  async function connect(): Promise<void> {
    const checked = normalizeBackendUrl(backendUrl);
    if (!checked.ok) {
      setError(clientError(checked.code));
      urlField.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const reply = await client.pair(backendUrl, code);
    setBusy(false);
    if (reply.ok) onPaired(reply.data);
    else setError(reply.error);
  }

  return (
    <form
      class="pairing"
      onSubmit={(event) => {
        event.preventDefault();
        void connect();
      }}
    >
      <h2>Pair with your Serval backend</h2>
      {revoked && (
        <p class="notice" role="status">
          This browser's pairing was revoked on the backend. Pair again with a fresh code.
        </p>
      )}
      <p class="muted">
        Start the backend (<code>npm start</code>); it prints a pairing code. <code>npm run pair</code> prints a fresh one.
      </p>
      <label for={urlId}>Backend URL</label>
      <input
        id={urlId}
        ref={urlField}
        type="url"
        value={backendUrl}
        required
        aria-invalid={urlRefused}
        aria-describedby={urlRefused ? errorId : undefined}
        onInput={(e) => {
          setBackendUrl((e.currentTarget as HTMLInputElement).value);
          if (urlRefused) setError(null); // the person is fixing it: the message has done its work
        }}
      />
      <label for={codeId}>Pairing code</label>
      <input
        id={codeId}
        type="text"
        value={code}
        required
        autocomplete="off"
        spellcheck={false}
        placeholder="ABCD-EFGH"
        onInput={(e) => setCode((e.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
        Connect
      </button>
      {busy && <p role="status">Connecting…</p>}
      {error && <ErrorMessage error={error} id={errorId} />}
    </form>
  );
}
