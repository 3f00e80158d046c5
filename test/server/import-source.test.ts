/** Where `npm run import` finds a key, read as the Stripe CLI reads its own config: pure, no process. */
import { describe, expect, it } from 'vitest';
import { ImportSourceError, keyFromEnv, keyFromStripeCliConfig, stripeCliConfigPath } from '../../server/cli/import-source.js';

const KEY = `sk_test_51${'a'.repeat(97)}`;
const read = (text: string, profile = 'default') => keyFromStripeCliConfig(text, profile, '/c/config.toml');
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ImportSourceError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

describe("the Stripe CLI's config", () => {
  it('lives in $XDG_CONFIG_HOME/stripe, else ~/.config/stripe', () => {
    expect(stripeCliConfigPath({ XDG_CONFIG_HOME: '/x' }, '/home/ana')).toBe('/x/stripe/config.toml');
    expect(stripeCliConfigPath({ XDG_CONFIG_HOME: '' }, '/home/ana')).toBe('/home/ana/.config/stripe/config.toml');
    expect(stripeCliConfigPath({}, '/home/ana')).toBe('/home/ana/.config/stripe/config.toml');
  });

  it('reads a profile in either layout, the migrated one first, and the older field names before test_mode_api_key, as the CLI does', () => {
    expect(read(`[default]\ntest_mode_api_key = '${KEY}'`)).toBe(KEY);
    expect(read(`config_version = 2\n[profiles.default]\ntest_mode_api_key = '${KEY}'\n[default]\ntest_mode_api_key = 'sk_test_stale'`)).toBe(KEY);
    expect(read(`[profiles."example.project"]\ntest_mode_api_key = '${KEY}'`, 'example.project')).toBe(KEY);
    expect(read(`[default]\ntest_mode_api_key = 'sk_test_newer'\nsecret_key = '${KEY}'`)).toBe(KEY);
    expect(read(`[default]\napi_key = '${KEY}'`)).toBe(KEY);
  });

  it('refuses what it cannot use, without ever quoting the file', () => {
    const broken = refusal(() => read(`[default]\ntest_mode_api_key = "${KEY}`));
    expect(broken).toMatch(/^\/c\/config\.toml is not a valid TOML file \(line 2, column \d+\)\. Nothing was imported\.$/);
    expect(refusal(() => read(`[work]\ndisplay_name = 'W'\ntest_mode_api_key = '${KEY}'`))).toContain('has no profile "default"; it has "work"');
    expect(refusal(() => read(`[default]\nlive_mode_api_key = 'rk_live_****1234'`))).toContain('keeps live-mode keys in the system keychain');
    expect(refusal(() => read('color = "auto"'))).toContain('has no profile "default".');
  });
});

describe('an environment variable', () => {
  it('gives its value trimmed; unset or blank is a refusal naming the variable, never a value', () => {
    expect(keyFromEnv('K', { K: ` ${KEY}\n` })).toBe(KEY);
    expect(refusal(() => keyFromEnv('K', {}))).toBe('The environment variable K is not set. Nothing was imported.');
    expect(refusal(() => keyFromEnv('K', { K: ' ' }))).toBe('The environment variable K is empty. Nothing was imported.');
  });
});
