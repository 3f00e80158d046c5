/** The popup and the options page: pairing until paired, then the status. */
import { useEffect, useState } from 'preact/hooks';
import type { ServalError } from '../../ui/errors';
import type { PairingState } from '../messaging/protocol';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { PairingForm } from './PairingForm';
import { StatusPanel } from './StatusPanel';
import type { UiClient } from './ui-client';

export function ServalApp({ client, variant }: { client: UiClient; variant: 'popup' | 'options' }) {
  const [state, setState] = useState<PairingState | null>(null);
  const [error, setError] = useState<ServalError | null>(null);

  async function reload(): Promise<void> {
    const reply = await client.getState();
    if (reply.ok) {
      setState(reply.data);
      setError(null);
    } else setError(reply.error);
  }

  useEffect(() => {
    void reload();
    return client.watchPairing(() => void reload());
  }, []);

  return (
    <main class={`serval serval-${variant}`}>
      <h1>Serval for Stripe</h1>
      {error && <ErrorMessage error={error} />}
      {!state && !error && <p role="status">Loading…</p>}
      {state && !state.paired && (
        <PairingForm client={client} initialBackendUrl={state.backendUrl} revoked={state.unpairedReason === 'revoked'} onPaired={setState} />
      )}
      {state?.paired && <StatusPanel key={state.device?.id} client={client} state={state} variant={variant} onStateChange={setState} />}
    </main>
  );
}
