/** `npm run pair`: a fresh pairing code, written to the same database the running server reads. */
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createRuntime, StartupError } from '../runtime.js';

try {
  const config = loadConfig({ ...process.env, SERVAL_RECHECK_INTERVAL_MINUTES: '0' });
  const runtime = createRuntime(config, { logger: createLogger({ level: 'silent' }) });
  const { code, expiresAt } = runtime.pairing.issueCode();
  runtime.close();
  process.stdout.write(`Pairing code: ${code}\n  (valid until ${expiresAt.toLocaleTimeString()}, single use; enter it in the Serval extension's options)\n`);
} catch (error) {
  if (error instanceof ConfigError || error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
