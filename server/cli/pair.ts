/** `npm run pair`: a fresh pairing code, written to the same database the running server reads. */
import { ConfigError, loadConfig } from '../config.js';
import { MasterKeyError } from '../crypto/master-key.js';
import { describeCause, isDatabaseUnavailable } from '../db/unavailable.js';
import { createLogger } from '../logger.js';
import { clockTime } from '../pairing/codes.js';
import { createRuntime, StartupError } from '../runtime.js';

try {
  const config = loadConfig({ ...process.env, SERVAL_RECHECK_INTERVAL_MINUTES: '0' });
  const runtime = await createRuntime(config, { logger: createLogger({ level: 'silent' }) });
  try {
    const { code, expiresAt } = await runtime.pairing.issueCode();
    process.stdout.write(`Pairing code: ${code}\n  (valid until ${clockTime(expiresAt)}, single use; enter it in the Serval extension's options)\n`);
  } finally {
    await runtime.close();
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof StartupError || error instanceof MasterKeyError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  if (isDatabaseUnavailable(error)) {
    process.stderr.write(`The database (DATABASE_URL) cannot be reached: ${describeCause(error)}\n`);
    process.exit(1);
  }
  throw error;
}
