/**
 * The composition root: config in, a running set of parts out. main.ts serves it; tests build it
 * on a temporary data dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createApp } from './app.js';
import { hostCheckFor } from './host-check.js';
import { createAuditRecorder } from './audit.js';
import type { Config } from './config.js';
import { loadMasterKey } from './crypto/master-key.js';
import { Sealer } from './crypto/sealing.js';
import { openDatabase } from './db/open.js';
import { databaseFile } from './db/sqlite/database.js';
import { createIntegrationService } from './integrations/stripe-integration.js';
import type { Logger } from './logger.js';
import { createPairingService } from './pairing/service.js';
import { startRecheckSchedule } from './recheck-schedule.js';
import { createKeyChecker, type KeyChecker } from './stripe/key-checker.js';
import { createStripeClientCache } from './workflows/client-cache.js';
import { workflowRoutes } from './workflows/routes.js';

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export class StartupError extends Error {}

export type Runtime = Awaited<ReturnType<typeof createRuntime>>;

export async function createRuntime(config: Config, options: { logger: Logger; now?: () => Date; checker?: KeyChecker }) {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const masterKey = resolveMasterKey(config);
  const sealer = new Sealer(masterKey.key);
  const database = openDatabase(config, logger);
  try {
    await database.start(sealer.keyId, (storedKeyId) => {
      if (storedKeyId && storedKeyId !== sealer.keyId) {
        throw new StartupError(
          `The master key (${sealer.keyId}, from ${masterKey.source}) does not match the data in ${database.describe}, ` +
            `which was sealed with master key ${storedKeyId}. Use the key that sealed this data. Nothing was changed.`,
        );
      }
    });
    const { repos } = database;
    const audit = createAuditRecorder(repos, now);
    const pairing = createPairingService({ repos, audit, now, digestCode: (code) => sealer.pairingCodeDigest(code) });
    const checker = options.checker ?? createKeyChecker(config.stripe, now);
    const stripeClients = createStripeClientCache(config.stripe);
    const integrations = createIntegrationService({ repos, sealer, checker, audit, now, logger, onKeyChanged: stripeClients.drop });
    const app = createApp({
      hostAllowed: hostCheckFor(config.host),
      repos,
      database,
      pairing,
      integrations,
      audit,
      logger,
      now,
      version: VERSION,
      extraRoutes: [workflowRoutes({ integrations, stripeClients, logger })],
    });
    const schedule =
      config.recheckIntervalMs > 0 ? startRecheckSchedule({ integrations, repos, intervalMs: config.recheckIntervalMs, logger, now }) : null;

    return {
      app,
      repos,
      pairing,
      integrations,
      audit,
      database,
      async close() {
        await schedule?.stop();
        stripeClients.clear();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * SERVAL_MASTER_KEY, else master.key in the data dir (generated on the first start). A data dir
 * whose database exists but whose master.key is gone is refused: a new key would open nothing.
 */
function resolveMasterKey(config: Config): { key: Buffer; source: string } {
  const keyFile = path.join(config.dataDir, 'master.key');
  if (!config.masterKey && !config.database.url && !fs.existsSync(keyFile) && fs.existsSync(databaseFile(config.dataDir))) {
    throw new StartupError(
      `The data in ${config.dataDir} was sealed with a master key, but ${keyFile} is missing and SERVAL_MASTER_KEY is not set. ` +
        'Restore master.key or set SERVAL_MASTER_KEY to the key that sealed this data. Nothing was changed.',
    );
  }
  const { key } = loadMasterKey(config.dataDir, config.masterKey);
  return { key, source: config.masterKey ? 'SERVAL_MASTER_KEY' : keyFile };
}
