/**
 * Stripe API key parsing and masking: the one place that knows what a key looks like.
 * Used by the server (before anything reaches Stripe), the logger (scrubbing) and the
 * extension (detection, display). Pure functions, no I/O.
 */

/**
 * `secret` (sk_test_/sk_live_), `restricted` (rk_test_/rk_live_, and rkcs_test_ from claimable
 * sandboxes) and `organization` (sk_org_: one key for every account of a Stripe organization,
 * naming the account it acts on in the Stripe-Context header; there is no rk_org_).
 */
export type KeyType = 'secret' | 'restricted' | 'organization';
export type KeyMode = 'test' | 'live';

/**
 * An organization key's prefix says nothing of its mode (it works in sandboxes and in live mode):
 * its mode is `null` until Stripe's answer to a check says which.
 */
export type ParsedKey =
  | { ok: true; key: string; keyType: 'secret' | 'restricted'; mode: KeyMode }
  | { ok: true; key: string; keyType: 'organization'; mode: null };
export type KeyRejection = {
  ok: false;
  code: 'malformed_key' | 'publishable_key';
  /** A message more precise than the catalogue's, when we know what the input was. */
  message?: string;
};

/** Characters after the prefix: legacy keys have 24, current ones 99. Never assume one length. */
export const MIN_KEY_BODY = 24;
/** A whole key, prefix included, is at most 255 characters. */
export const MAX_KEY_LENGTH = 255;

/** The prefixes of the keys Serval takes, with what each says about the key. */
const KEY_PREFIXES = [
  { prefix: 'sk_test_', keyType: 'secret', mode: 'test' },
  { prefix: 'sk_live_', keyType: 'secret', mode: 'live' },
  { prefix: 'rk_test_', keyType: 'restricted', mode: 'test' },
  { prefix: 'rk_live_', keyType: 'restricted', mode: 'live' },
  { prefix: 'rkcs_test_', keyType: 'restricted', mode: 'test' },
  { prefix: 'sk_org_', keyType: 'organization', mode: null },
] as const;

/** The longest body any prefix allows (sk_org_'s, the shortest prefix). */
export const MAX_KEY_BODY = MAX_KEY_LENGTH - Math.min(...KEY_PREFIXES.map((p) => p.prefix.length));

/** `prefix[A-Za-z0-9]{24,255 − prefix}`, one alternative per prefix, for the patterns below. */
const WHOLE_KEY = KEY_PREFIXES.map(({ prefix }) => `${prefix}[A-Za-z0-9]{${MIN_KEY_BODY},${MAX_KEY_LENGTH - prefix.length}}`).join('|');

// `@__PURE__`: a bundle that uses none of these (the content script, held under 5 KB gzip) leaves them out.
const FULL_KEY = /* @__PURE__ */ new RegExp(`^(?:${WHOLE_KEY})$`);
const PUBLISHABLE_KEY = /* @__PURE__ */ new RegExp(`^pk_(?:test|live)_[A-Za-z0-9]{${MIN_KEY_BODY},${MAX_KEY_LENGTH - 'pk_test_'.length}}$`);

/**
 * A full secret, restricted or organization key inside other text. Used by the extension's
 * detector and shared with the tests. The lookarounds stop it from matching inside a longer token.
 */
export const SECRET_KEY_IN_TEXT = new RegExp(`(?<![A-Za-z0-9_])(?:${WHOLE_KEY})(?![A-Za-z0-9])`, 'g');

/** Every prefix a secret may be written with, for scrubbing (`prod` appears in third-party samples). */
const SECRET_PREFIX = '(?:sk|rk)_(?:test|live|prod)_|rkcs_(?:test|live)_|sk_org_';

/**
 * Anything that could be a secret: scrubbed from every log line, however short or odd its body,
 * a body ending where another key begins (two keys written together are two keys), and whatever
 * stands before it — no lookbehind, because an escape (`\n`, `\u0001`) or a
 * %-encoding (`%0A`, `%2F`) ends in a letter or digit right before the key. Masking a little too
 * much (`task_test_…`) is harmless; missing a key is not.
 */
const SCRUB_PATTERN = /* @__PURE__ */ new RegExp(`(?:${SECRET_PREFIX})(?:(?!${SECRET_PREFIX})[A-Za-z0-9]){4,}|whsec_[A-Za-z0-9+/]{4,}=*`, 'g');
/** What masking keeps of a key: its prefix, publishable keys' too. */
const MASK_PREFIX = /* @__PURE__ */ new RegExp(`^(?:${SECRET_PREFIX}|pk_(?:test|live|prod)_|whsec_)`);

export function parseKey(input: string): ParsedKey | KeyRejection {
  const key = input.trim();
  if (/\s/.test(key)) {
    return {
      ok: false,
      code: 'malformed_key',
      message: 'The key contains spaces or line breaks. Copy the whole key again, without anything around it.',
    };
  }
  if (key.startsWith('whsec_')) {
    return {
      ok: false,
      code: 'malformed_key',
      message: 'This is a webhook signing secret (whsec_…), not an API key. Use a restricted key (rk_…) or a secret key (sk_…).',
    };
  }
  if (PUBLISHABLE_KEY.test(key)) return { ok: false, code: 'publishable_key' };
  if (!FULL_KEY.test(key)) return { ok: false, code: 'malformed_key' };
  const kind = KEY_PREFIXES.find((p) => key.startsWith(p.prefix))!;
  return kind.keyType === 'organization' ? { ok: true, key, keyType: 'organization', mode: null } : { ok: true, key, keyType: kind.keyType, mode: kind.mode };
}

/** `rk_test_…Ab12`: the prefix and the last four characters, as shown in the UI and the API. */
export function maskKey(key: string): string {
  const trimmed = key.trim();
  const prefix = MASK_PREFIX.exec(trimmed)?.[0] ?? '';
  const body = trimmed.slice(prefix.length);
  if (body.length < 8) return `${prefix}…`;
  return `${prefix}…${body.slice(-4)}`;
}

/**
 * Replaces anything shaped like a Stripe secret with its masked form: as written, and as it reads
 * once %-decoded, twice, or more (`sk%5Flive%5F…`, `sk%255Flive%255F…` in a logged path) — the
 * stretch of the text that decodes to a key is what is masked, so the line keeps its shape.
 */
export function scrubSecrets(text: string): string {
  let scrubbed = text;
  // The most decoded first: it shows the longest key (one partly %-encoded reads whole only there).
  if (text.includes('%')) for (let depth = decodingDepth(text); depth > 0; depth--) scrubbed = scrubDecoded(scrubbed, depth);
  // Whatever the pattern matches holds "k_" (sk_, rk_), "kcs_" (rkcs_) or "whsec_"; text with none — nearly
  // every log line — is returned without running the pattern over it.
  if (!mayHoldSecret(scrubbed)) return scrubbed;
  return scrubbed.replace(SCRUB_PATTERN, (whole) => maskKey(whole));
}

function mayHoldSecret(text: string): boolean {
  return text.includes('k_') || text.includes('kcs_') || text.includes('whsec_');
}

/** How many times %-decoding changes the text, up to MAX_DECODINGS (once and twice are what a logged path can hold). */
const MAX_DECODINGS = 4;
function decodingDepth(text: string): number {
  let depth = 0;
  for (let t = traced(text); depth < MAX_DECODINGS; depth++) {
    const next = percentDecoded(t);
    if (next.text === t.text) break;
    t = next;
  }
  return depth;
}

/** Text with, for each character, the stretch [start, end) of the original text it was decoded from. */
type Traced = { text: string; start: number[]; end: number[] };

function traced(text: string): Traced {
  // By UTF-16 unit, as the decoder indexes (Array.from(text) would go by code point).
  return { text, start: Array.from({ length: text.length }, (_, i) => i), end: Array.from({ length: text.length }, (_, i) => i + 1) };
}

/** One round of %-decoding, byte by byte; a byte outside ASCII becomes a character no key holds. */
function percentDecoded(t: Traced): Traced {
  let text = '';
  const start: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < t.text.length; ) {
    const hex = t.text[i] === '%' ? /^[0-9A-Fa-f]{2}/.exec(t.text.slice(i + 1, i + 3)) : null;
    if (hex) {
      const byte = Number.parseInt(hex[0], 16);
      text += byte < 0x80 ? String.fromCharCode(byte) : '\u0000';
      start.push(t.start[i]);
      end.push(t.end[i + 2]);
      i += 3;
    } else {
      text += t.text[i];
      start.push(t.start[i]);
      end.push(t.end[i]);
      i++;
    }
  }
  return { text, start, end };
}

/** Masks, in `text` as written, every stretch that reads as a secret once %-decoded `depth` times. */
function scrubDecoded(text: string, depth: number): string {
  let t = traced(text);
  for (let d = 0; d < depth; d++) t = percentDecoded(t);
  if (!mayHoldSecret(t.text)) return text;
  let out = '';
  let at = 0;
  for (const match of t.text.matchAll(SCRUB_PATTERN)) {
    const from = t.start[match.index];
    out += text.slice(at, from) + maskKey(match[0]);
    at = t.end[match.index + match[0].length - 1];
  }
  return at === 0 ? text : out + text.slice(at);
}

/** True if the text contains something shaped like a full secret, restricted or organization key. */
export function containsSecretKey(text: string): boolean {
  SECRET_KEY_IN_TEXT.lastIndex = 0;
  const found = SECRET_KEY_IN_TEXT.test(text);
  SECRET_KEY_IN_TEXT.lastIndex = 0;
  return found;
}

/** Every full secret, restricted or organization key in the text, in order, without duplicates. */
export function findSecretKeys(text: string): string[] {
  return [...new Set(text.match(SECRET_KEY_IN_TEXT) ?? [])];
}
