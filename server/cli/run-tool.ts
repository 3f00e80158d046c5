/**
 * What every command-line tool that opens the backend's data shares: the runtime on the same data
 * dir or database as the server (no scheduled re-checks, no logs), closed afterwards, and one
 * clear sentence and exit status 1 for what a person can fix.
 */
import { ConfigError, loadConfig } from '../config.js';
import { MasterKeyError } from '../crypto/master-key.js';
import { describeCause, isDatabaseUnavailable } from '../db/unavailable.js';
import { createLogger } from '../logger.js';
import { createRuntime, StartupError, type Runtime } from '../runtime.js';

/** A mistake in the tool's own arguments or input: its message is printed, the exit status is 1. */
export class UsageError extends Error {}

/** Reads the tool's arguments before anything opens the data: a usage mistake is printed, with exit status 1. */
export function readOrExit<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

export async function runTool(work: (runtime: Runtime) => Promise<void>): Promise<void> {
  try {
    const config = loadConfig({ ...process.env, SERVAL_RECHECK_INTERVAL_MINUTES: '0' });
    const runtime = await createRuntime(config, { logger: createLogger({ level: 'silent' }) });
    try {
      await work(runtime);
    } finally {
      await runtime.close();
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof StartupError || error instanceof MasterKeyError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    if (isDatabaseUnavailable(error)) {
      process.stderr.write(`The database (DATABASE_URL) cannot be reached: ${describeCause(error)}\n`);
      process.exit(1);
    }
    throw error;
  }
}
