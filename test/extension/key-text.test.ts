import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findRevealedKeys, mightContainKey, possibleKeys } from '../../extension/detection/key-text';
import { LEGACY_SECRET_TEST, PUBLISHABLE_LIVE, RESTRICTED_LIVE, SECRET_TEST, body99 } from './fixtures';

describe('findRevealedKeys', () => {
  it('finds current and legacy secret and restricted keys in text', () => {
    expect(findRevealedKeys(`Your key: ${RESTRICTED_LIVE}`)).toEqual([RESTRICTED_LIVE]);
    expect(findRevealedKeys(LEGACY_SECRET_TEST)).toEqual([LEGACY_SECRET_TEST]);
    expect(findRevealedKeys(`${SECRET_TEST} and ${RESTRICTED_LIVE} and ${SECRET_TEST}`)).toEqual([SECRET_TEST, RESTRICTED_LIVE]);
  });

  it('finds organization keys (sk_org_) and claimable-sandbox keys (rkcs_test_), up to 255 characters', () => {
    const org = `sk_org_${body99}`;
    const sandbox = `rkcs_test_${body99}`;
    const longest = `sk_org_${'a'.repeat(248)}`;
    expect(findRevealedKeys(`Organization key ${org} and ${sandbox}`)).toEqual([org, sandbox]);
    expect(mightContainKey(`<td>${org}</td>`)).toBe(true);
    expect(findRevealedKeys(longest)).toEqual([longest]);
    expect(findRevealedKeys(`${longest}a`)).toEqual([]);
    expect(findRevealedKeys('sk_org_…4242')).toEqual([]);
  });

  it('accepts a key surrounded by whitespace, newlines or a sentence full stop', () => {
    expect(findRevealedKeys(`\n\t  ${SECRET_TEST}  \n`)).toEqual([SECRET_TEST]);
    expect(findRevealedKeys(`Copy ${SECRET_TEST}.`)).toEqual([SECRET_TEST]);
  });

  it('never takes a masked or shortened key for a full one', () => {
    for (const masked of [
      'sk_live_…4242',
      'sk_live_••••••••••••••••••••••••4242',
      'sk_test_*******************lder',
      'rk_live_51Hx...4242',
      `sk_live_${body99.slice(0, 30)}…`,
      `sk_live_${body99.slice(0, 30)}...`,
      `sk_live_${body99.slice(0, 30)}••••4242`,
      `sk_live_${body99.slice(0, 30)}****`,
      'sk_test_short',
    ]) {
      expect(findRevealedKeys(masked), masked).toEqual([]);
    }
  });

  it('ignores publishable keys, webhook secrets and keys glued inside longer tokens', () => {
    expect(findRevealedKeys(PUBLISHABLE_LIVE)).toEqual([]);
    expect(findRevealedKeys('whsec_abcdefghijklmnopqrstuvwxyz012345')).toEqual([]);
    expect(findRevealedKeys(`x${SECRET_TEST}`)).toEqual([]);
    expect(findRevealedKeys(`${SECRET_TEST}_suffix`)).toEqual([]);
  });

  it('reads through invisible wrapping characters', () => {
    const wrapped = `${SECRET_TEST.slice(0, 40)}\u200B${SECRET_TEST.slice(40)}`;
    expect(findRevealedKeys(wrapped)).toEqual([SECRET_TEST]);
  });

  it('has a gate that lets every key through and stops ordinary and masked text early', () => {
    for (const text of ['Create secret key', 'Reveal live key', 'sk_live_…4242', 'rk_test_…Zq9x', 'sk_test_••••••••4242']) {
      expect(mightContainKey(text), text).toBe(false);
    }
    for (const text of [SECRET_TEST, `Your key: ${RESTRICTED_LIVE}.`, LEGACY_SECRET_TEST, `${SECRET_TEST.slice(0, 20)}\u200B${SECRET_TEST.slice(20)}`]) {
      expect(mightContainKey(text), text).toBe(true);
    }
  });

  it('counts what the marker-by-marker reading counts, for any text (one pass over the underscores)', () => {
    // The reference: each marker looked for on its own, followed by 24 key characters (invisible ones skipped).
    const reference = (text: string) =>
      ['k_live_', 'k_test_', 'k_org_', 'kcs_test_'].reduce((count, marker) => {
        let found = 0;
        for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + 1)) {
          const body = text.slice(at + marker.length).replace(/^(?:\u00AD|\u200B|\u200C|\u200D|\u2060|\uFEFF)*/, '');
          if (/^(?:[A-Za-z0-9](?:\u00AD|\u200B|\u200C|\u200D|\u2060|\uFEFF)*){24}/.test(body)) found++;
        }
        return count + found;
      }, 0);
    const piece = fc.oneof(
      fc.constantFrom('sk_', 'rk_', 'rkcs_', 'k_', '_', 'live_', 'test_', 'org_', 'kcs_', '…', '\u200B', ' ', 'cs_test_', 'sk_org_'),
      fc.stringMatching(/^[A-Za-z0-9]{0,30}$/),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        expect(possibleKeys(text)).toBe(reference(text));
        expect(mightContainKey(text)).toBe(reference(text) > 0);
      }),
      { numRuns: 2000 },
    );
  });
});
