import { describe, expect, it } from 'vitest';
import { containsSecretKey, findSecretKeys, maskKey, parseKey, scrubSecrets } from '../../shared/keys.js';

const body99 = `51${'A1b2C3d4E5'.repeat(9)}xyz0123`;
const legacy = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';

describe('parseKey', () => {
  it('accepts legacy (24) and current (99) secret and restricted keys, test and live', () => {
    expect(body99).toHaveLength(99);
    expect(parseKey(legacy)).toEqual({ ok: true, key: legacy, keyType: 'secret', mode: 'test' });
    expect(parseKey(`rk_live_${body99}`)).toMatchObject({ ok: true, keyType: 'restricted', mode: 'live' });
    expect(parseKey(`sk_live_${body99}`)).toMatchObject({ ok: true, keyType: 'secret', mode: 'live' });
    expect(parseKey(`rk_test_${body99}`)).toMatchObject({ ok: true, keyType: 'restricted', mode: 'test' });
  });

  it('knows organization keys (sk_org_, mode unknown until Stripe answers) and claimable-sandbox keys (rkcs_test_, restricted)', () => {
    expect(parseKey(`sk_org_${body99}`)).toEqual({ ok: true, key: `sk_org_${body99}`, keyType: 'organization', mode: null });
    expect(parseKey(`rkcs_test_${body99}`)).toEqual({ ok: true, key: `rkcs_test_${body99}`, keyType: 'restricted', mode: 'test' });
    for (const bad of [`rk_org_${body99}`, `rkcs_live_${body99}`, `sk_org_test_${body99}`, `pk_org_${body99}`]) {
      expect(parseKey(bad), bad).toMatchObject({ ok: false, code: 'malformed_key' });
    }
  });

  it('takes keys up to 255 characters in all, whatever the prefix', () => {
    for (const prefix of ['sk_test_', 'rk_live_', 'rkcs_test_', 'sk_org_']) {
      const longest = prefix + 'a'.repeat(255 - prefix.length);
      expect(parseKey(longest), prefix).toMatchObject({ ok: true, key: longest });
      expect(parseKey(`${longest}a`), prefix).toMatchObject({ ok: false, code: 'malformed_key' });
    }
  });

  it('trims whitespace around a pasted key', () => {
    expect(parseKey(`  \n${legacy}\t \n`)).toMatchObject({ ok: true, key: legacy });
  });

  it('refuses keys with spaces or newlines inside', () => {
    const r = parseKey('sk_test_4eC39HqLyjWD arjtT1zdp7dc');
    expect(r).toMatchObject({ ok: false, code: 'malformed_key' });
    expect(parseKey('sk_test_4eC39HqLyjWD\narjtT1zdp7dc')).toMatchObject({ ok: false, code: 'malformed_key' });
  });

  it('refuses publishable keys with their own code', () => {
    expect(parseKey(`pk_live_${body99}`)).toEqual({ ok: false, code: 'publishable_key' });
    expect(parseKey('pk_test_TYooMQauvdEDq54NiTphI7jx')).toEqual({ ok: false, code: 'publishable_key' });
  });

  it('refuses webhook secrets, masked keys, short keys, other prefixes and unicode', () => {
    for (const bad of [
      'whsec_abcdefghijklmnopqrstuvwxyz012345',
      'sk_live_…4242',
      'sk_live_••••••••••••••••••••••••4242',
      'sk_test_*******************lder',
      'sk_test_short',
      'sk_prod_4eC39HqLyjWDarjtT1zdp7dc',
      'xk_test_4eC39HqLyjWDarjtT1zdp7dc',
      'sk_test_4eC39HqLyjWDarjtT1zdp7dé',
      '',
      `sk_test_${'a'.repeat(300)}`,
    ]) {
      expect(parseKey(bad), bad).toMatchObject({ ok: false, code: 'malformed_key' });
    }
    expect(parseKey('whsec_abcdefghijklmnopqrstuvwxyz012345')).toMatchObject({ message: expect.stringContaining('webhook') });
  });
});

describe('maskKey', () => {
  it('keeps the prefix and the last four characters only', () => {
    expect(maskKey(legacy)).toBe('sk_test_…p7dc');
    expect(maskKey(`rk_live_${body99}`)).toBe('rk_live_…0123');
    expect(maskKey('sk_test_abc')).toBe('sk_test_…');
    expect(maskKey(`sk_org_${body99}`)).toBe('sk_org_…0123');
    expect(maskKey(`rkcs_test_${body99}`)).toBe('rkcs_test_…0123');
  });
});

describe('scrubSecrets', () => {
  it('masks every key-shaped string in a line, including inside Stripe messages and JSON', () => {
    const line = JSON.stringify({ msg: `Invalid API Key provided: ${legacy}`, other: `rk_live_${body99}`, hook: 'whsec_abcdEFGH1234+/==' });
    const scrubbed = scrubSecrets(line);
    expect(scrubbed).not.toContain(legacy);
    expect(scrubbed).not.toContain(body99);
    expect(scrubbed).not.toContain('abcdEFGH1234');
    expect(scrubbed).toContain('sk_test_…p7dc');
    expect(scrubbed).toContain('rk_live_…0123');
  });

  it('masks organization and claimable-sandbox keys too', () => {
    const line = `org=sk_org_${body99} sandbox=rkcs_test_${body99}`;
    expect(scrubSecrets(line)).toBe('org=sk_org_…0123 sandbox=rkcs_test_…0123');
    expect(scrubSecrets(encodeURIComponent(`/x/rkcs_test_${body99}`))).not.toContain(body99);
  });

  it('leaves Stripe-masked keys and ordinary text alone', () => {
    const text = 'Invalid API Key provided: sk_test_*******lder; see the test runner';
    expect(scrubSecrets(text)).toBe(text);
  });

  it('masks a key right after an escape or a %-encoding, raw or inside JSON', () => {
    const key = `sk_live_${body99}`;
    for (const before of ['%0A', '%2F', '%3D', '%20', '\n', '\t', '\u0001', '\\n', '\\t', '\\u0001', 'a', '_']) {
      const raw = `GET /api/applications/a${before}${key}`;
      expect(scrubSecrets(raw), JSON.stringify(before)).not.toContain(body99);
      expect(scrubSecrets(JSON.stringify({ value: `x${before}${key}` })), JSON.stringify(before)).not.toContain(body99);
    }
  });
});

describe('finding keys in text', () => {
  it('finds full keys inside text but not inside longer tokens', () => {
    expect(findSecretKeys(`Your key: ${legacy}. Keep it safe. ${legacy}`)).toEqual([legacy]);
    expect(findSecretKeys(`x${legacy}`)).toEqual([]);
    expect(findSecretKeys(`a_sk_test_4eC39HqLyjWDarjtT1zdp7dc`)).toEqual([]);
    expect(containsSecretKey('pk_test_TYooMQauvdEDq54NiTphI7jx')).toBe(false);
    expect(containsSecretKey(`rk_live_${body99}`)).toBe(true);
    expect(containsSecretKey(`rk_live_${body99}0`.slice(0, 20))).toBe(false);
    expect(findSecretKeys(`Organization key sk_org_${body99}, sandbox key rkcs_test_${body99}.`)).toEqual([`sk_org_${body99}`, `rkcs_test_${body99}`]);
    expect(findSecretKeys(`pk_live_${body99} whsec_${body99}`)).toEqual([]);
  });
});
