/**
 * `npm run rotate-master-key`: re-seals every stored Stripe key under a new master key, while
 * the server runs, losing nothing if it is killed at any point.
 *
 * master.key (the default): a new key is generated and master.key rewritten whole — new key
 * first, old keys kept — before anything is re-sealed; then every row is re-sealed under the new
 * key, one at a time; then master.key is rewritten again without the keys no row uses. A running
 * server that meets a row sealed under a key it doesn't hold re-reads master.key.
 *
 * SERVAL_MASTER_KEY="new,old": re-seals under the first key and says what to set next.
 *
 * One run at a time (rotation-lock.ts): a second run says that one is running and changes nothing.
 */
import { type Config, ConfigError, loadConfig } from '../config.js';
import { MasterKeyError, masterKeyFile, newMasterKey, readMasterKeyFile, writeMasterKeyFile } from '../crypto/master-key.js';
import { Sealer } from '../crypto/sealing.js';
import { describeCause, isDatabaseUnavailable } from '../db/unavailable.js';
import { createLogger, type Logger } from '../logger.js';
import { createRuntime, StartupError } from '../runtime.js';
import { RotationRunningError, rotationLockFile, takeRotationAdvisoryLock, takeRotationLockFile } from './rotation-lock.js';

/** How long a server that read the old master.key just before it was rewritten may still take to finish a write. */
const GRACE_MS = 1500;

const out = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Tests only (test/server/master-key-lock.test.ts): with SERVAL_TEST_PAUSE_ROTATION=1 a run that
 * holds the lock and has begun says "Paused" and goes on when its stdin closes, so that a test can
 * start a second run while this one is certainly mid-way. Unset — always, outside the tests — nothing waits.
 */
async function pauseForTests(): Promise<void> {
  if (process.env.SERVAL_TEST_PAUSE_ROTATION !== '1') return;
  out('Paused (SERVAL_TEST_PAUSE_ROTATION=1) until stdin closes.');
  await new Promise((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.resume();
  });
}

async function main() {
  const config = loadConfig({ ...process.env, SERVAL_RECHECK_INTERVAL_MINUTES: '0' });
  const logger = createLogger({ level: 'silent' });
  // SQLite: the lock file, taken before master.key or the database is read. PostgreSQL: the advisory lock, below.
  const releaseFile = config.database.url ? null : takeRotationLockFile(rotationLockFile(config.dataDir));
  try {
    await (config.masterKeys ? rotateListedKeys(config, logger) : rotateKeyFile(config, logger));
  } finally {
    releaseFile?.();
  }
}

/** SERVAL_MASTER_KEY="new,old": every row re-sealed under the first. */
async function rotateListedKeys(config: Config, logger: Logger): Promise<void> {
  const runtime = await createRuntime(config, { logger });
  try {
    const releaseDatabase = runtime.database.dialect === 'postgres' ? await takeRotationAdvisoryLock(runtime.database.pool) : null;
    try {
      await pauseForTests();
      const current = runtime.keyring.current.keyId;
      const resealed = await runtime.integrations.resealAll();
      await runtime.alerts.resealAll(); // the alert endpoints' signing secrets
      await runtime.repos.settings.set('master_key_id', current);
      out(`Re-sealed ${resealed} key${resealed === 1 ? '' : 's'} under master key ${current} (the first in SERVAL_MASTER_KEY).`);
      if ((config.masterKeys?.length ?? 0) > 1) {
        out('Every stored key now opens with the first key alone. Next, on every instance: set SERVAL_MASTER_KEY to the first key only, and restart.');
      } else {
        out(
          'To rotate: make a new key (openssl rand -base64 32), set SERVAL_MASTER_KEY="<new>,<current>" on every instance, restart them, and run this again.',
        );
      }
    } finally {
      await releaseDatabase?.();
    }
  } finally {
    await runtime.close();
  }
}

/** master.key: a new key generated, written first, every row re-sealed under it, the unused keys dropped. */
async function rotateKeyFile(config: Config, logger: Logger): Promise<void> {
  const file = masterKeyFile(config.dataDir);
  const old = readMasterKeyFile(file);
  const fresh = newMasterKey();
  const freshId = new Sealer(fresh).keyId;
  // 1. The new key goes first, the old ones stay: from here on, whatever is sealed under any of them opens.
  writeMasterKeyFile(file, [fresh, ...old]);
  out(`New master key ${freshId} written to ${file} (the old one${old.length > 1 ? 's' : ''} kept until nothing needs ${old.length > 1 ? 'them' : 'it'}).`);
  await pauseForTests();

  const runtime = await createRuntime(config, { logger });
  try {
    // 2. Every row, re-sealed under the new key — then again after a moment, for a write begun
    //    under the old file just before it changed (servers seal under the newest key in the file).
    let resealed = await runtime.integrations.resealAll();
    await new Promise((r) => setTimeout(r, GRACE_MS));
    resealed += await runtime.integrations.resealAll();
    await runtime.alerts.resealAll(); // the alert endpoints' signing secrets
    await runtime.repos.settings.set('master_key_id', freshId);
    // 3. Drop the keys no row uses.
    const inUse = new Set([...(await runtime.repos.integrations.keyIdsInUse()), ...(await runtime.alerts.keyIdsInUse())]);
    const kept = [fresh, ...old.filter((k) => inUse.has(new Sealer(k).keyId))];
    writeMasterKeyFile(file, kept);
    const dropped = old.length - (kept.length - 1);
    out(`Re-sealed ${resealed} key${resealed === 1 ? '' : 's'} under master key ${freshId}.`);
    out(
      `${file} now holds ${kept.length} key${kept.length === 1 ? '' : 's'}; ${dropped} old key${dropped === 1 ? '' : 's'} dropped. Keep no other copy of ${dropped === 1 ? 'it' : 'them'}.`,
    );
  } finally {
    await runtime.close();
  }
}

try {
  await main();
} catch (error) {
  if (error instanceof ConfigError || error instanceof StartupError || error instanceof MasterKeyError || error instanceof RotationRunningError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  if (isDatabaseUnavailable(error)) {
    process.stderr.write(`The database cannot be reached: ${describeCause(error)}\nNothing more was changed; run this again when it is back.\n`);
    process.exit(1);
  }
  throw error;
}
