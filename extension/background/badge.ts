/** The toolbar badge, as a pure function of the pairing and the last status poll. */
import type { StatusSnapshot } from '../storage';

export type Badge = { text: string; color: string; title: string };

export const BADGE_COLORS = { attention: '#D92D20', rotationDue: '#B54708', unreachable: '#6B7280', quiet: '#635BFF' } as const;

const count = (n: number) => (n > 9 ? '9+' : String(n));
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * A broken integration, or a key that stops working at Stripe within 24 hours (rotated there with
 * an Expiration), outranks an old key: the badge counts those in red when there are any, else the
 * keys due for rotation in amber. The title says each.
 */
export function badgeFor(paired: boolean, snapshot: StatusSnapshot | null): Badge {
  if (!paired) return { text: '', color: BADGE_COLORS.quiet, title: 'Serval for Stripe: not paired. Open the options to pair with your Serval backend.' };
  if (!snapshot) return { text: '', color: BADGE_COLORS.quiet, title: 'Serval for Stripe' };
  if (!snapshot.reachable) return { text: '?', color: BADGE_COLORS.unreachable, title: 'Serval for Stripe: the backend cannot be reached.' };
  const due = snapshot.rotationDue ?? 0;
  const expiring = snapshot.expiringSoon ?? 0;
  const broken = snapshot.needsAttention;
  const sentences = [
    broken > 0 ? `${plural(broken, 'Stripe integration needs', 'Stripe integrations need')} attention.` : '',
    expiring > 0
      ? `${plural(expiring, 'key stops', 'keys stop')} working within 24 hours: send ${expiring === 1 ? 'its' : 'their'} application the new key.`
      : '',
  ].filter(Boolean);
  const dueSentence = due > 0 ? ` ${plural(due, 'key is', 'keys are')} due for rotation.` : '';
  if (broken + expiring > 0) {
    return { text: count(broken + expiring), color: BADGE_COLORS.attention, title: `Serval for Stripe: ${sentences.join(' ')}${dueSentence}` };
  }
  if (due > 0) return { text: count(due), color: BADGE_COLORS.rotationDue, title: `Serval for Stripe: rotation due —${dueSentence}` };
  return { text: '', color: BADGE_COLORS.quiet, title: `Serval for Stripe: ${snapshot.connected} connected.` };
}
