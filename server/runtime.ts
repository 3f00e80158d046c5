/**
 * The composition root: config in, a running set of parts out. main.ts serves it; tests build it
 * on a temporary data dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { allowedHostsFor, createApp } from './app.js';
import { createAuditRecorder } from './audit.js';
import type { Config } from './config.js';
import { loadMasterKey } from './crypto/master-key.js';
import { Sealer } from './crypto/sealing.js';
import { openDatabase } from './db/client.js';
import { createSqliteRepositories } from './db/repositories.js';
import { createIntegrationService } from './integrations/stripe-integration.js';
import type { Logger } from './logger.js';
import { createPairingService } from './pairing/service.js';
import { startRecheckSchedule } from './recheck-schedule.js';
import { createKeyChecker, type KeyChecker } from './stripe/key-checker.js';
import { createStripeClientCache } from './workflows/client-cache.js';
import { workflowRoutes } from './workflows/routes.js';

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export class StartupError extends Error {}

export type Runtime = ReturnType<typeof createRuntime>;

export function createRuntime(config: Config, options: { logger: Logger; now?: () => Date; checker?: KeyChecker }) {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const database = openDatabase(config.dataDir);
  try {
    const repos = createSqliteRepositories(database.db);
    const sealer = new Sealer(resolveMasterKey(config, repos.settings.get('master_key_id')));
    repos.settings.set('master_key_id', sealer.keyId);

    const audit = createAuditRecorder(repos, now);
    const pairing = createPairingService({ repos, audit, now });
    const checker = options.checker ?? createKeyChecker(config.stripe, now);
    const stripeClients = createStripeClientCache(config.stripe);
    const integrations = createIntegrationService({ repos, sealer, checker, audit, now, logger, onKeyChanged: stripeClients.drop });
    const app = createApp({
      allowedHosts: allowedHostsFor(config.host),
      repos,
      pairing,
      integrations,
      audit,
      logger,
      now,
      version: VERSION,
      extraRoutes: [workflowRoutes({ integrations, stripeClients, logger })],
    });
    const schedule = config.recheckIntervalMs > 0 ? startRecheckSchedule(integrations, config.recheckIntervalMs, logger) : null;

    return {
      app,
      repos,
      pairing,
      integrations,
      audit,
      database,
      close() {
        schedule?.stop();
        stripeClients.clear();
        database.close();
      },
    };
  } catch (error) {
    database.close();
    throw error;
  }

  function resolveMasterKey(cfg: Config, storedKeyId: string | null): Buffer {
    const keyFile = path.join(cfg.dataDir, 'master.key');
    if (!cfg.masterKey && storedKeyId && !fs.existsSync(keyFile)) {
      throw new StartupError(
        `The data in ${cfg.dataDir} was sealed with master key ${storedKeyId}, but ${keyFile} is missing and SERVAL_MASTER_KEY is not set. ` +
          'Restore master.key or set SERVAL_MASTER_KEY to the key that sealed this data. Nothing was changed.',
      );
    }
    const { key } = loadMasterKey(cfg.dataDir, cfg.masterKey);
    const candidate = new Sealer(key);
    if (storedKeyId && storedKeyId !== candidate.keyId) {
      throw new StartupError(
        `The master key (${candidate.keyId}, from ${cfg.masterKey ? 'SERVAL_MASTER_KEY' : keyFile}) does not match the data in ${cfg.dataDir}, ` +
          `which was sealed with master key ${storedKeyId}. Use the key that sealed this data. Nothing was changed.`,
      );
    }
    return key;
  }
}
