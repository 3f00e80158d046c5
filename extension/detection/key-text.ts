/**
 * Finding a revealed Stripe key in a string. Pure and cheap: the detector calls
 * `mightContainKey` on every changed piece of text, and the full match only when that says yes.
 */
import { SECRET_KEY_IN_TEXT } from '../../shared/keys.js';

/**
 * The fast gate. Every full secret or restricted key contains one of these; publishable keys
 * (`pk_…`) and masked forms that drop the prefix do not. Two `indexOf` calls, no regex.
 */
export function mightContainKey(text: string): boolean {
  return text.indexOf('k_live_') !== -1 || text.indexOf('k_test_') !== -1;
}

/**
 * What cannot follow a whole key: an ellipsis or mask characters mean the key is cut short on
 * screen (`sk_live_51Hx…`, `sk_live_51Hx...`, `sk_live_51Hx••••`, `sk_test_51Hx****`), and an
 * underscore means it is part of a longer identifier. A single `.` ends a sentence and is fine.
 */
const NOT_A_KEY_END = /^(?:…|\.\.|•|\*|·|●|_)/;

/**
 * Invisible characters a page may put inside a long token so that it wraps. Removing them
 * before matching keeps such a key whole.
 */
const INVISIBLE = /[\u00AD\u200B\u200C\u200D\u2060\uFEFF]/g;

/** Every full secret or restricted key shown in the text, in order, without duplicates. */
export function findRevealedKeys(text: string): string[] {
  if (!mightContainKey(text)) return [];
  const visible = text.replace(INVISIBLE, '');
  const keys: string[] = [];
  for (const match of visible.matchAll(SECRET_KEY_IN_TEXT)) {
    const after = visible.slice(match.index + match[0].length, match.index + match[0].length + 2);
    if (NOT_A_KEY_END.test(after)) continue;
    if (!keys.includes(match[0])) keys.push(match[0]);
  }
  return keys;
}
