/**
 * Properties of the key parser, the masker and the log scrubber, over generated input: no input
 * makes the parser throw, the scrubber miss a key (as written or %-encoded, once or more), or the
 * masker show more than the last four characters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSecretKeys, maskKey, MAX_KEY_BODY, MAX_KEY_LENGTH, MIN_KEY_BODY, parseKey, scrubSecrets } from '../../shared/keys.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const body = (min = MIN_KEY_BODY, max = 120) => fc.string({ unit: fc.constantFrom(...ALNUM), minLength: min, maxLength: max });
const PREFIXES = ['sk_test_', 'sk_live_', 'rk_test_', 'rk_live_', 'rkcs_test_', 'sk_org_'] as const;
const prefix = fc.constantFrom(...PREFIXES);
/** Any key Serval takes, of any length it may have: 255 characters at most in all. */
const secretKey = prefix.chain((p) => body(MIN_KEY_BODY, MAX_KEY_LENGTH - p.length).map((b) => p + b));
/** Anything around a key: any unicode, escapes, %-encodings, JSON punctuation. */
const surroundings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('%0A', '%2F', '%3D', '%20', '\\n', '\\t', '\\u0001', '\n', '\t', '\u0001', '"', ':', '=', 'Bearer ', 'a', '_', ''),
);

describe('the log scrubber', () => {
  it('never lets a key through, whatever stands around it, raw or JSON-encoded', () => {
    fc.assert(
      fc.property(surroundings, secretKey, surroundings, (before, key, after) => {
        const text = before + key + after;
        expect(scrubSecrets(text)).not.toContain(key);
        expect(scrubSecrets(JSON.stringify({ msg: text }))).not.toContain(key);
      }),
      { numRuns: 2000 },
    );
  });

  it('never lets a key through %-encoded once, twice or three times — its underscores, its prefix, any or all of its characters', () => {
    const percent = (c: string, lower: boolean) => {
      const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
      return `%${lower ? hex : hex.toUpperCase()}`;
    };
    /** Percent-decoding as a reader of the log would do it, once. */
    const decoded = (text: string) => text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    const encoding = fc.record({
      which: fc.constantFrom('underscores', 'prefix', 'all', 'some'),
      some: fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }),
      depth: fc.integer({ min: 1, max: 3 }),
      lower: fc.boolean(),
    });
    fc.assert(
      fc.property(surroundings, secretKey, encoding, surroundings, (before, key, how, after) => {
        const chosen = (c: string, i: number) =>
          how.which === 'all' ||
          (how.which === 'underscores' && c === '_') ||
          (how.which === 'prefix' && i < key.lastIndexOf('_') + 1) ||
          (how.which === 'some' && how.some[i]);
        let encoded = [...key].map((c, i) => (chosen(c, i) ? percent(c, how.lower) : c)).join('');
        for (let round = 1; round < how.depth; round++) encoded = encoded.replaceAll('%', '%25'); // encoded again, % signs and all
        for (const line of [before + encoded + after, JSON.stringify({ path: `/api/stripe/validate/${before}${encoded}${after}` })]) {
          let seen = scrubSecrets(line);
          for (let round = 0; round <= 3; round++, seen = decoded(seen)) expect(seen).not.toContain(key);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never lets any of several keys in one line through', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(surroundings, secretKey), { minLength: 1, maxLength: 5 }), (parts) => {
        const line = parts.map(([s, k]) => s + k).join('');
        const scrubbed = scrubSecrets(line);
        for (const [, key] of parts) expect(scrubbed).not.toContain(key);
      }),
    );
  });
});

describe('the masker', () => {
  it('shows the prefix and at most the last four characters', () => {
    fc.assert(
      fc.property(prefix, body(0, MAX_KEY_BODY), fc.constantFrom('', ' ', '\n'), (p, b, pad) => {
        const masked = maskKey(pad + p + b + pad);
        expect(masked.startsWith(`${p}…`)).toBe(true);
        const shown = masked.slice(p.length + 1);
        expect(shown.length).toBeLessThanOrEqual(4);
        expect(b.endsWith(shown)).toBe(true);
        if (b.length < 8) expect(shown).toBe(''); // too short to show anything of
      }),
      { numRuns: 2000 },
    );
  });

  it('never shows more than four characters of any input at all', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        const masked = maskKey(input);
        const after = masked.split('…')[1] ?? '';
        expect(after.length).toBeLessThanOrEqual(4);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the key parser', () => {
  it('never throws, and accepts only whole sk_/rk_ keys, telling type and mode right', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          secretKey,
          fc.tuple(surroundings, secretKey, surroundings).map((t) => t.join('')),
        ),
        (input) => {
          const parsed = parseKey(input);
          if (!parsed.ok) {
            expect(['malformed_key', 'publishable_key']).toContain(parsed.code);
            return;
          }
          expect(parsed.key).toMatch(/^(?:(?:sk|rk)_(?:test|live)_|rkcs_test_|sk_org_)[A-Za-z0-9]{24,}$/);
          expect(parsed.key.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
          expect(parsed.key).toBe(input.trim());
          const p = PREFIXES.find((candidate) => parsed.key.startsWith(candidate))!;
          expect(parsed.keyType).toBe(p === 'sk_org_' ? 'organization' : p.startsWith('sk_') ? 'secret' : 'restricted');
          expect(parsed.mode).toBe(p === 'sk_org_' ? null : p.includes('_live_') ? 'live' : 'test');
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('accepts every well-formed key, with whitespace around it', () => {
    fc.assert(
      fc.property(secretKey, fc.constantFrom('', ' ', '\n', '\t '), (key, pad) => {
        expect(parseKey(pad + key + pad)).toMatchObject({ ok: true, key });
      }),
    );
  });

  it('refuses a key one character longer than 255, and every publishable key or webhook secret', () => {
    fc.assert(
      fc.property(prefix, fc.constantFrom(...ALNUM), (p, c) => {
        expect(parseKey(p + c.repeat(MAX_KEY_LENGTH - p.length + 1))).toMatchObject({ ok: false, code: 'malformed_key' });
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom('pk_test_', 'pk_live_'), body(), (p, b) => {
        expect(parseKey(p + b)).toEqual({ ok: false, code: 'publishable_key' });
        expect(findSecretKeys(`key: ${p + b}`)).toEqual([]);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...ALNUM, '+', '/'), minLength: 1, maxLength: 80 }), (b) => {
        expect(parseKey(`whsec_${b}`)).toMatchObject({ ok: false, code: 'malformed_key', message: expect.stringContaining('webhook') });
      }),
    );
  });
});

describe('the detector', () => {
  it('finds every key whole in the text around it, and nothing in a longer token', () => {
    fc.assert(
      fc.property(fc.constantFrom('', ' ', 'Key: ', '"', '>'), secretKey, fc.constantFrom('', ' ', '.', '"', '<'), (before, key, after) => {
        expect(findSecretKeys(before + key + after)).toEqual([key]);
        expect(findSecretKeys(`x${key}`)).toEqual([]);
        expect(findSecretKeys(`${key}${'A'.repeat(MAX_KEY_LENGTH - key.length + 1)}`)).toEqual([]);
      }),
    );
  });
});
