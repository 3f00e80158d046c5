/** The toolbar badge, as a pure function of the pairing and the last status poll. */
import type { StatusSnapshot } from '../storage';

export type Badge = { text: string; color: string; title: string };

export const BADGE_COLORS = { attention: '#D92D20', unreachable: '#6B7280', quiet: '#635BFF' } as const;

export function badgeFor(paired: boolean, snapshot: StatusSnapshot | null): Badge {
  if (!paired) return { text: '', color: BADGE_COLORS.quiet, title: 'Serval for Stripe: not paired. Open the options to pair with your Serval backend.' };
  if (!snapshot) return { text: '', color: BADGE_COLORS.quiet, title: 'Serval for Stripe' };
  if (!snapshot.reachable) return { text: '?', color: BADGE_COLORS.unreachable, title: 'Serval for Stripe: the backend cannot be reached.' };
  if (snapshot.needsAttention > 0) {
    const n = snapshot.needsAttention;
    return {
      text: n > 9 ? '9+' : String(n),
      color: BADGE_COLORS.attention,
      title: `Serval for Stripe: ${n} Stripe integration${n === 1 ? ' needs' : 's need'} attention.`,
    };
  }
  return { text: '', color: BADGE_COLORS.quiet, title: `Serval for Stripe: ${snapshot.connected} connected.` };
}
