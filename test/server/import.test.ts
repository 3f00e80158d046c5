/**
 * `npm run import`: a key that exists already — in an environment variable, or in the Stripe
 * CLI's config file — checked with Stripe and stored like any Send (source "import", audited),
 * the verdict printed with the key masked. Every bad input is a clear message, exit status 2, and
 * nothing stored; the key is never printed, logged, or written anywhere but sealed. The built CLI
 * against the real database and the test Stripe server, on both databases.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccountId } from '../stripe-server/keys.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let home: string;
const keys: string[] = [];
const outputs: string[] = [];
beforeAll(async () => {
  h = await startHarness();
  await h.pair();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-import-home-'));
});
afterAll(async () => {
  for (const output of outputs) for (const key of keys) expect(output.includes(key), 'a key in the CLI’s output').toBe(false);
  await h?.assertNeverExposed(keys);
  await h?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

/** A restricted test key on an account of its own, remembered for the hygiene checks. */
function newKey(opts: Parameters<Harness['stripe']['createKey']>[0] = {}): string {
  const key = h.stripe.createKey({ type: 'restricted', accountId: newAccountId(), ...opts });
  keys.push(key);
  return key;
}

/** The built CLI, as `npm run import -- …` runs it, with HOME (and XDG_CONFIG_HOME) of the test's choosing. */
function runImport(args: string[], env: Record<string, string> = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, SERVAL_MASTER_KEY: '', ...h.env, HOME: home, ...env };
  if (!('XDG_CONFIG_HOME' in env)) delete childEnv.XDG_CONFIG_HOME;
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/server/import.mjs', ...args], { env: childEnv, encoding: 'utf8' }, (error, stdout, stderr) => {
      outputs.push(stdout, stderr);
      resolve({ status: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

function writeConfig(dir: string, text: string): string {
  const file = path.join(dir, 'stripe', 'config.toml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

const integrationOf = async (appId: string) => (await h.get(`/api/applications/${appId}/integrations/stripe`)).body.integration;

describe('npm run import', () => {
  it('--env: checks the key, stores it with source "import", audited as no one, and prints the verdict with the key masked', async () => {
    const appId = await h.createApplication('Imported from env');
    const key = newKey({ permissions: ['charges_read', 'customers_read', 'balance_read', 'balance_transactions_read'] });
    const res = await runImport(['--application', 'Imported from env', '--env', 'LEGACY_STRIPE_KEY'], { LEGACY_STRIPE_KEY: key });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const integration = await integrationOf(appId);
    expect(integration).toMatchObject({ source: 'import', status: 'missing_permissions', missingPermissions: ['customers_write'] });
    expect(res.stdout).toContain(`Imported ${integration.maskedKey} from the environment variable LEGACY_STRIPE_KEY into Imported from env (${appId}).`);
    expect(res.stdout).toContain('status: missing_permissions — lacks customers_write');
    expect(res.stdout).toContain('warning (missing_permissions)');
    const events = (await h.get('/api/audit')).body.events.filter((e: any) => e.applicationId === appId && e.action.startsWith('integration.'));
    expect(events).toEqual([
      expect.objectContaining({ action: 'integration.connected', person: null, deviceId: null, detail: expect.objectContaining({ source: 'import' }) }),
    ]);
  });

  it("--stripe-cli [PROFILE]: the Stripe CLI's test-mode key, from $XDG_CONFIG_HOME or ~/.config, in either layout of its config", async () => {
    const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-import-xdg-'));
    try {
      // The older layout, profiles at the top level, in $XDG_CONFIG_HOME; a live key is only ever redacted there.
      const first = await h.createApplication('From the CLI');
      const testKey = newKey();
      writeConfig(
        xdg,
        `color = 'auto'\n\n[default]\n  account_id = 'acct_x'\n  display_name = 'Shop'\n  live_mode_api_key = 'rk_live_*********************1234'\n  test_mode_api_key = '${testKey}'\n  test_mode_key_expires_at = '2027-03-01'\n`,
      );
      const fromXdg = await runImport(['--application', first, '--stripe-cli'], { XDG_CONFIG_HOME: xdg });
      expect(fromXdg.stderr).toBe('');
      expect(fromXdg.status).toBe(0);
      expect(fromXdg.stdout).toContain(`from the Stripe CLI's profile "default" (${path.join(xdg, 'stripe', 'config.toml')})`);
      expect(await integrationOf(first)).toMatchObject({ source: 'import', status: 'connected' });

      // The migrated layout (config_version = 2, [profiles.<name>]) in ~/.config, a named profile; the migrated copy wins over a stale top-level one.
      const second = await h.createApplication('From a named profile');
      const workKey = newKey();
      const stale = newKey();
      writeConfig(
        path.join(home, '.config'),
        `config_version = 2\n\n[profiles.work]\n  test_mode_api_key = '${workKey}'\n\n[work]\n  test_mode_api_key = '${stale}'\n`,
      );
      const fromHome = await runImport(['--application', second, '--stripe-cli', 'work']);
      expect(fromHome.status, fromHome.stderr).toBe(0);
      const stored = await integrationOf(second);
      expect(stored.maskedKey.slice(-4)).toBe(workKey.slice(-4));

      // A profile written by an older CLI keeps its key as secret_key.
      fs.writeFileSync(path.join(home, '.config', 'stripe', 'config.toml'), `[legacy]\n  display_name = 'Old'\n  secret_key = '${testKey}'\n`);
      expect((await runImport(['--application', second, '--stripe-cli=legacy'])).status).toBe(0);
      expect((await integrationOf(second)).maskedKey.slice(-4)).toBe(testKey.slice(-4));
    } finally {
      fs.rmSync(xdg, { recursive: true, force: true });
      fs.rmSync(path.join(home, '.config'), { recursive: true, force: true });
    }
  });

  it('bad input: a clear message, exit status 2, nothing stored and no key printed', async () => {
    const appId = await h.createApplication('Nothing arrives');
    const key = newKey();
    const config = path.join(home, '.config', 'stripe', 'config.toml');
    writeConfig(path.join(home, '.config'), `[default]\n  test_mode_api_key = '${key}\n`); // the quote never closes
    const notToml = await runImport(['--application', appId, '--stripe-cli']);
    expect(notToml).toMatchObject({ status: 2, stdout: '' });
    expect(notToml.stderr).toMatch(
      new RegExp(`^${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a valid TOML file \\(line 2, column \\d+\\)\\. Nothing was imported\\.\n$`),
    );

    writeConfig(
      path.join(home, '.config'),
      `[default]\n  display_name = 'Shop'\n  live_mode_api_key = 'rk_live_*****1234'\n\n[profiles]\n[profiles.work]\n  test_mode_api_key = '${key}'\n`,
    );
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--application', appId, '--env', 'NOT_SET_ANYWHERE'], {}, /^The environment variable NOT_SET_ANYWHERE is not set\. Nothing was imported\.$/],
      [['--application', appId, '--env', 'EMPTY_KEY'], { EMPTY_KEY: '  ' }, /^The environment variable EMPTY_KEY is empty\./],
      [['--application', appId, '--stripe-cli', 'staging'], {}, /has no profile "staging"; it has "default", "work"\. Nothing was imported\.$/],
      [
        ['--application', appId, '--stripe-cli'],
        {},
        /profile "default" .* has no test-mode key \(test_mode_api_key\): the Stripe CLI keeps live-mode keys in the system keychain/,
      ],
      [
        ['--application', appId, '--stripe-cli'],
        { XDG_CONFIG_HOME: path.join(home, 'nowhere') },
        /^There is no Stripe CLI config at .*nowhere\/stripe\/config\.toml \(run `stripe login` first, or use --env\)/,
      ],
      [['--application', 'No such app', '--env', 'K'], { K: key }, /^No application is named "No such app"\. Create it first/],
      [['--application', appId, '--env', key], {}, /^--env takes the name of the environment variable that holds the key, not the key itself/],
      [['--application', appId, '--env', 'K', '--stripe-cli'], { K: key }, /^Give one of --env VAR or --stripe-cli \[PROFILE\]\./],
      [['--env', 'K'], { K: key }, /^--application is required\.\nUsage: npm run import/],
      [['--application', appId, '--stripe-cli', 'a', 'b'], {}, /^--stripe-cli takes at most one profile name\./],
    ];
    const results = await Promise.all(cases.map(([args, env]) => runImport(args, env)));
    results.forEach((res, i) => {
      expect(res.status, cases[i]![0].join(' ')).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr.trim()).toMatch(cases[i]![2]);
    });
    expect((await h.get(`/api/applications/${appId}/integrations/stripe`)).status).toBe(404);
    expect((await h.get('/api/audit')).body.events.filter((e: any) => e.applicationId === appId).map((e: any) => e.action)).toEqual(['application.created']);
  });

  it("a key Stripe refuses is not stored: exit status 1 with Stripe's reason and our hint", async () => {
    const appId = await h.createApplication('Refused');
    const deleted = newKey();
    h.stripe.deleteKey(deleted);
    const limited = newKey({ allowedIps: ['203.0.113.7'] });
    const [gone, elsewhere] = await Promise.all([
      runImport(['--application', appId, '--env', 'K'], { K: deleted }),
      runImport(['--application', appId, '--env', 'K'], { K: limited }),
    ]);
    expect(gone).toMatchObject({ status: 1, stdout: '' });
    expect(gone.stderr).toMatch(/^Not imported: Stripe does not recognise this key\.\n {2}Verify the key hasn't been deleted or rotated/);
    expect(elsewhere).toMatchObject({ status: 1, stdout: '' });
    expect(elsewhere.stderr).toContain("Manage IP restrictions, allow this backend's address");
    expect((await h.get(`/api/applications/${appId}/integrations/stripe`)).status).toBe(404);
  });
});
