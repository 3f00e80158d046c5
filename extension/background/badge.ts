/** The toolbar badge, as a pure function of the pairing and the last status poll. */
import type { StatusSnapshot } from '../storage';

export type Badge = { text: string; color: string; title: string };

export const BADGE_COLORS = { attention: '#D92D20', rotationDue: '#B54708', unreachable: '#6B7280', quiet: '#635BFF' } as const;

const count = (n: number) => (n > 9 ? '9+' : String(n));
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * A broken integration outranks an old key: the badge counts what needs attention in red when
 * there is any, else the keys due for rotation in amber. The title says both.
 */
export function badgeFor(paired: boolean, snapshot: StatusSnapshot | null): Badge {
  if (!paired) return { text: '', color: BADGE_COLORS.quiet, title: 'Serval for Stripe: not paired. Open the options to pair with your Serval backend.' };
  if (!snapshot) return { text: '', color: BADGE_COLORS.quiet, title: 'Serval for Stripe' };
  if (!snapshot.reachable) return { text: '?', color: BADGE_COLORS.unreachable, title: 'Serval for Stripe: the backend cannot be reached.' };
  const due = snapshot.rotationDue ?? 0;
  const dueSentence = due > 0 ? ` ${plural(due, 'key is', 'keys are')} due for rotation.` : '';
  if (snapshot.needsAttention > 0) {
    const n = snapshot.needsAttention;
    return {
      text: count(n),
      color: BADGE_COLORS.attention,
      title: `Serval for Stripe: ${n} Stripe integration${n === 1 ? ' needs' : 's need'} attention.${dueSentence}`,
    };
  }
  if (due > 0) return { text: count(due), color: BADGE_COLORS.rotationDue, title: `Serval for Stripe: rotation due —${dueSentence}` };
  return { text: '', color: BADGE_COLORS.quiet, title: `Serval for Stripe: ${snapshot.connected} connected.` };
}
