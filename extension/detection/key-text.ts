/**
 * Finding a revealed Stripe key in a string. Pure and cheap: the detector calls
 * `mightContainKey` on every changed piece of text, and the full match only when that says yes.
 */
import { MIN_KEY_BODY, SECRET_KEY_IN_TEXT } from '../../shared/keys.js';

/**
 * What every key's prefix ends with — sk_/rk_ live and test, sk_org_, rkcs_test_ — found in one
 * pass of the regex engine over the text (a literal alternation: no backtracking), which measured
 * faster than one `indexOf` pass per marker on a feed's text, and as fast on short strings.
 */
const MARKER = /k_(?:live|test|org)_|kcs_test_/g;

function isKeyChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isInvisible(code: number): boolean {
  return code === 0xad || code === 0x200b || code === 0x200c || code === 0x200d || code === 0x2060 || code === 0xfeff;
}

/** At least MIN_KEY_BODY key characters from `start` on (invisible wrapping characters skipped). */
function keyBodyAt(text: string, start: number): boolean {
  let count = 0;
  for (let i = start; i < text.length && count < MIN_KEY_BODY; i++) {
    const code = text.charCodeAt(i);
    if (isKeyChar(code)) count++;
    else if (!isInvisible(code)) return false;
  }
  return count >= MIN_KEY_BODY;
}

/**
 * How many places in the text could start a key (up to `enough`): a marker (`k_live_`,
 * `k_test_`…) followed by at least 24 key characters. Masked keys on the API keys page
 * (`rk_test_…Zq9x`, `sk_live_••••4242`) fail after a character or two, so the dashboard's
 * ordinary text costs one scan and no full match.
 */
export function possibleKeys(text: string, enough = Number.POSITIVE_INFINITY): number {
  let count = 0;
  MARKER.lastIndex = 0;
  while (count < enough && MARKER.exec(text) !== null) if (keyBodyAt(text, MARKER.lastIndex)) count++;
  return count;
}

/** The fast gate, true for every text `findRevealedKeys` can find a key in. */
export function mightContainKey(text: string): boolean {
  return possibleKeys(text, 1) > 0;
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
const INVISIBLE = /\u00AD|\u200B|\u200C|\u200D|\u2060|\uFEFF/g;

/** Every full secret, restricted or organization key shown in the text, in order, without duplicates. */
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
