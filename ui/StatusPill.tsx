import type { Integration } from '../shared/api.js';
import { statusLabel } from './labels';

/** An application's Stripe status in a word or two, as the popup, the options page and the console list it. */
export function StatusPill({ integration }: { integration: Integration | null }) {
  const status = integration?.status ?? 'none';
  return <span class={`pill status-${status}`}>{statusLabel(status)}</span>;
}
