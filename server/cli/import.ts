/**
 * `npm run import -- --application NAME (--env VAR | --stripe-cli [PROFILE])`: the way in for a
 * Stripe key that existed before the extension. Reads it from an environment variable or from
 * the Stripe CLI's config file (its test-mode key; profile "default" unless named), checks it with
 * Stripe and stores it like any Send — sealed, audited with source "import", acting as no one (the
 * backend's own shell, as `npm run invite` does) — then prints the verdict with the key masked.
 *
 * The key is never printed, logged, or written anywhere but sealed in the database.
 * Exit status: 0 stored; 1 Stripe refused the key or could not be asked (nothing stored);
 * 2 nothing to import — a wrong invocation, an unknown application, a missing variable, file or
 * profile, a file that is not TOML (nothing stored, the database not even opened for the last four
 * but the application).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { IntegrationWithValidation } from '../../shared/api.js';
import { scrubSecrets } from '../../shared/keys.js';
import { ApiError } from '../api-error.js';
import type { Runtime } from '../runtime.js';
import {
  describeSource,
  ImportSourceError,
  keyFromEnv,
  keyFromStripeCliConfig,
  readStripeCliConfig,
  stripeCliConfigPath,
  type KeySource,
} from './import-source.js';

const USAGE = 'Usage: npm run import -- --application NAME (--env VAR | --stripe-cli [PROFILE])';

function fail(message: string, status: number): never {
  process.stderr.write(`${scrubSecrets(message)}\n`);
  process.exit(status);
}

type Input = { application: string; source: KeySource };

function parseArguments(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { application: { type: 'string' }, env: { type: 'string' }, 'stripe-cli': { type: 'boolean' } },
    });
  } catch (error) {
    throw new ImportSourceError(`${(error as Error).message}\n${USAGE}`);
  }
}

function readArguments(argv: string[]): Input {
  // `--stripe-cli=work` reads as `--stripe-cli work`; the profile is the one positional argument.
  const args = argv.flatMap((a) => (a.startsWith('--stripe-cli=') ? ['--stripe-cli', a.slice('--stripe-cli='.length)] : [a]));
  const { values, positionals } = parseArguments(args);
  if (!values.application?.trim()) throw new ImportSourceError(`--application is required.\n${USAGE}`);
  if ((values.env === undefined) === (values['stripe-cli'] === undefined))
    throw new ImportSourceError(`Give one of --env VAR or --stripe-cli [PROFILE].\n${USAGE}`);
  if (values.env !== undefined) {
    if (scrubSecrets(values.env) !== values.env) {
      throw new ImportSourceError(
        "--env takes the name of the environment variable that holds the key, not the key itself. (A key typed on a command line stays in the shell's history: consider rolling it.)",
      );
    }
    if (positionals.length > 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(values.env))
      throw new ImportSourceError(`--env takes the name of an environment variable.\n${USAGE}`);
    return { application: values.application.trim(), source: { kind: 'env', name: values.env } };
  }
  if (positionals.length > 1) throw new ImportSourceError(`--stripe-cli takes at most one profile name.\n${USAGE}`);
  return { application: values.application.trim(), source: { kind: 'stripe-cli', profile: positionals[0] ?? 'default' } };
}

/** The key, read before anything opens the database. */
function readKey(source: KeySource, configPath: string): string {
  if (source.kind === 'env') return keyFromEnv(source.name, process.env);
  return keyFromStripeCliConfig(readStripeCliConfig(configPath), source.profile, configPath);
}

/** By id, or by name when exactly one application has it. */
async function findApplication(runtime: Runtime, wanted: string): Promise<{ id: string; name: string }> {
  const all = await runtime.repos.applications.list();
  const byId = all.find((a) => a.id === wanted);
  if (byId) return byId;
  const named = all.filter((a) => a.name === wanted);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new ImportSourceError(
      `${named.length} applications are named "${wanted}": give one's id instead (${named.map((a) => a.id).join(', ')}). Nothing was imported.`,
    );
  }
  throw new ImportSourceError(
    `No application is named "${wanted}". Create it first (the console's Applications page, or POST /api/applications). Nothing was imported.`,
  );
}

function verdictLines(application: { id: string; name: string }, from: string, { integration, validation }: IntegrationWithValidation): string[] {
  const account = integration.accountId
    ? `account ${integration.accountId}${integration.accountName ? ` (${integration.accountName})` : ''}`
    : 'account not known';
  const lines = [
    `Imported ${integration.maskedKey} from ${from} into ${application.name} (${application.id}).`,
    `  ${integration.keyType} key, ${integration.mode} mode, ${account}`,
    `  status: ${integration.status}${validation.missingPermissions.length ? ` — lacks ${validation.missingPermissions.join(', ')}` : ''}`,
  ];
  for (const warning of validation.warnings) lines.push(`  warning (${warning.code}): ${warning.message}`);
  return lines;
}

let input: Input;
let apiKey: string;
const configPath = stripeCliConfigPath(process.env, os.homedir());
try {
  input = readArguments(process.argv.slice(2));
  apiKey = readKey(input.source, configPath);
} catch (error) {
  if (error instanceof ImportSourceError) fail(error.message, 2);
  throw error;
}

// The backend's parts are loaded only now: a wrong invocation is answered without them.
const { runTool } = await import('./run-tool.js');
try {
  await runTool(async (runtime) => {
    const application = await findApplication(runtime, input.application);
    const stored = await runtime.integrations.connect(application.id, { apiKey, source: 'import' }, null);
    process.stdout.write(`${scrubSecrets(verdictLines(application, describeSource(input.source, configPath), stored).join('\n'))}\n`);
  });
} catch (error) {
  if (error instanceof ImportSourceError) fail(error.message, 2);
  if (error instanceof ApiError) {
    const body = error.body().error;
    fail(`Not imported: ${body.message}${body.hint ? `\n  ${body.hint}` : ''}`, 1);
  }
  throw error;
}
