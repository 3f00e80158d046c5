/**
 * Also update: other applications still hold an older key of this key's account. One click (a
 * person's) gives them this key too, through POST /api/stripe/rotate — all of them or none.
 */
import { useState } from 'preact/hooks';
import type { RotateResponse } from '../../shared/api.js';
import { ErrorMessage } from '../../ui/ErrorMessage';
import type { ServalError } from '../../ui/errors';
import { listNames, type OldKeyExpiry, type OlderKeyHolder } from './also-update';
import { byPersonOnly } from './by-person';
import type { CardClient } from './card-client';
import { useSeenWholeGate } from './seen-whole';

type AlsoUpdatePhase = { kind: 'offered' } | { kind: 'sending' } | { kind: 'done'; result: RotateResponse } | { kind: 'failed'; error: ServalError };

export type AlsoUpdateProps = {
  holders: OlderKeyHolder[];
  apiKey: string;
  client: CardClient;
  /** The key replaced was rotated in Stripe: when it stops working, said first. */
  expiry?: OldKeyExpiry | null;
  /** Sent with the rotation: when the key it replaces stops working (the Rotate dialog's Expiration). */
  previousKeyExpiresAt?: string | null;
};

export function AlsoUpdate({ holders, apiKey, client, expiry, previousKeyExpiresAt }: AlsoUpdateProps) {
  const [state, setState] = useState<AlsoUpdatePhase>({ kind: 'offered' });
  const seen = useSeenWholeGate();
  if (holders.length === 0) return null;
  const names = listNames(holders.map((h) => h.name));

  async function update(): Promise<void> {
    setState({ kind: 'sending' });
    const ids = holders.map((h) => h.id);
    const reply = await (previousKeyExpiresAt ? client.rotateKey(ids, apiKey, previousKeyExpiresAt) : client.rotateKey(ids, apiKey));
    setState(reply.ok ? { kind: 'done', result: reply.data } : { kind: 'failed', error: reply.error });
  }

  if (state.kind === 'done') {
    const updated = holders.filter((h) => state.result.integrations.some((i) => i.applicationId === h.id));
    return (
      <div class="also-update">
        <p class="ok">
          Also updated {listNames(updated.map((h) => h.name))}: {updated.length === 1 ? 'it now holds' : 'they now hold'} this key.
        </p>
      </div>
    );
  }

  return (
    <div class="also-update">
      {expiry ? (
        <p class={expiry.expired ? 'warn old-key-expired' : 'warn old-key-expiring'}>{expiry.message}</p>
      ) : (
        <p>{holders.length === 1 ? 'Another application still holds' : `${holders.length} other applications still hold`} an older key of this account:</p>
      )}
      <ul>
        {holders.map((h) => (
          <li key={h.id}>
            {h.name} <code>{h.maskedKey}</code>
          </li>
        ))}
      </ul>
      {state.kind === 'sending' && <p>Updating {names}…</p>}
      {state.kind === 'failed' && <ErrorMessage error={state.error} announce={false} />}
      {seen.notice && (
        <p class="warn" role="alert">
          {seen.notice}
        </p>
      )}
      <button
        type="button"
        class="primary"
        disabled={state.kind === 'sending'}
        aria-busy={state.kind === 'sending'}
        onClick={(event) => byPersonOnly(event, () => seen.allows && void update())}
      >
        Also update
      </button>
    </div>
  );
}
