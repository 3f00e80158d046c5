/**
 * Where `npm run import` finds a key that exists already: an environment variable, or the Stripe
 * CLI's config file. Reading only — nothing here stores, prints or logs the key, and no message
 * quotes it: a malformed file is reported by line and column, never by the text around the error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';

/** There is nothing to import: the message says why, the exit status is 2. */
export class ImportSourceError extends Error {}

export type KeySource = { kind: 'env'; name: string } | { kind: 'stripe-cli'; profile: string };

/** What the key's origin is called in messages: never the key. */
export function describeSource(source: KeySource, configPath: string): string {
  return source.kind === 'env' ? `the environment variable ${source.name}` : `the Stripe CLI's profile "${source.profile}" (${configPath})`;
}

export function keyFromEnv(name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (value === undefined) throw new ImportSourceError(`The environment variable ${name} is not set. Nothing was imported.`);
  if (value.trim() === '') throw new ImportSourceError(`The environment variable ${name} is empty. Nothing was imported.`);
  return value.trim();
}

/**
 * The Stripe CLI's config file: `$XDG_CONFIG_HOME/stripe/config.toml`, else
 * `~/.config/stripe/config.toml` (stripe/stripe-cli pkg/config/config.go, getConfigFolder and
 * InitConfig).
 */
export function stripeCliConfigPath(env: NodeJS.ProcessEnv, home: string): string {
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(base, 'stripe', 'config.toml');
}

/**
 * The profile's test-mode key, as the Stripe CLI reads it (stripe/stripe-cli pkg/config):
 * - a profile is a table: `[profiles.<name>]` in a migrated file (`config_version = 2`), or
 *   `[<name>]` at the top level in an older one; the migrated copy wins when both are there
 *   (config.go, listProfileEntries; config_layout_test.go);
 * - its test-mode key is `test_mode_api_key`, or in older files `secret_key` or `api_key`, which
 *   the CLI reads first when present (profile.go, GetAPIKey: RegisterAlias);
 * - the live-mode key is not in the file: the CLI keeps it in the system keychain and writes only
 *   a redacted copy here (profile.go, writeProfile and redactAllLivemodeValues).
 */
export function keyFromStripeCliConfig(text: string, profile: string, configPath: string): string {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // smol-toml's message quotes the offending line, which may hold a key: only where, never what.
    throw new ImportSourceError(`${configPath} is not a valid TOML file (line ${error.line}, column ${error.column}). Nothing was imported.`);
  }
  const table = profileTable(doc, profile);
  if (!table) {
    const names = profileNames(doc);
    throw new ImportSourceError(
      `The Stripe CLI's config (${configPath}) has no profile "${profile}"${names.length ? `; it has ${names.map((n) => `"${n}"`).join(', ')}` : ''}. Nothing was imported.`,
    );
  }
  for (const field of ['secret_key', 'api_key', 'test_mode_api_key']) {
    const value = table[field];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  const liveOnly = typeof table.live_mode_api_key === 'string';
  throw new ImportSourceError(
    `The Stripe CLI's profile "${profile}" (${configPath}) has no test-mode key (test_mode_api_key)` +
      (liveOnly ? ': the Stripe CLI keeps live-mode keys in the system keychain, not in this file; use --env for a live key.' : '; run `stripe login` first.') +
      ' Nothing was imported.',
  );
}

export function readStripeCliConfig(configPath: string): string {
  try {
    return fs.readFileSync(configPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new ImportSourceError(`There is no Stripe CLI config at ${configPath} (run \`stripe login\` first, or use --env). Nothing was imported.`);
    throw new ImportSourceError(`The Stripe CLI config at ${configPath} cannot be read (${code ?? 'error'}). Nothing was imported.`);
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function profileTable(doc: Record<string, unknown>, name: string): Record<string, unknown> | null {
  const nested = doc.profiles;
  if (isTable(nested) && isTable(nested[name])) return nested[name];
  if (name !== 'profiles' && isTable(doc[name])) return doc[name];
  return null;
}

/** The profiles a file has, for the message when the one asked for isn't there. */
function profileNames(doc: Record<string, unknown>): string[] {
  const names = new Set<string>();
  if (isTable(doc.profiles)) for (const [name, value] of Object.entries(doc.profiles)) if (isTable(value)) names.add(name);
  for (const [name, value] of Object.entries(doc)) {
    if (name === 'profiles' || !isTable(value)) continue;
    if (['test_mode_api_key', 'secret_key', 'api_key', 'display_name', 'account_id'].some((f) => f in value)) names.add(name);
  }
  return [...names].sort();
}
