/**
 * The composition root: config in, a running set of parts out. main.ts serves it; tests build it
 * on a temporary data dir.
 */
import fs from 'node:fs';
import { createApp } from './app.js';
import { hostPolicy } from './host-check.js';
import { fromRoot } from './paths.js';
import { type Resolver, systemResolver } from './alerts/deliver.js';
import { startAlertSender } from './alerts/sender.js';
import { alertingAudit, createAlertService } from './alerts/service.js';
import { createAuditRecorder } from './audit.js';
import { alertRoutes } from './routes/alerts.js';
import { compileProxyTrust } from './auth/client-address.js';
import { createPasskeyService } from './auth/passkeys.js';
import { createSessionService } from './auth/sessions.js';
import { createOidcSignIn } from './auth/oidc.js';
import { makePrivate } from './data-dir.js';
import type { Config } from './config.js';
import { Keyring } from './crypto/keyring.js';
import { createMasterKeyFile, masterKeyFile } from './crypto/master-key.js';
import { openDatabase } from './db/open.js';
import { databaseFile } from './db/sqlite/database.js';
import { createIntegrationService } from './integrations/stripe-integration.js';
import type { Logger } from './logger.js';
import { createPairingService } from './pairing/service.js';
import { createPeopleService } from './people/service.js';
import { publicOrigin } from './public-origin.js';
import { startRecheckSchedule } from './recheck-schedule.js';
import { createKeyChecker, type KeyChecker } from './stripe/key-checker.js';
import { createStripeClientCache } from './workflows/client-cache.js';
import { workflowRoutes } from './workflows/routes.js';

export const VERSION: string = (JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;

export class StartupError extends Error {}

export type Runtime = Awaited<ReturnType<typeof createRuntime>>;

export async function createRuntime(config: Config, options: { logger: Logger; now?: () => Date; checker?: KeyChecker; resolver?: Resolver }) {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const trust = compileProxyTrust(config.trustProxy);
  const keyring = openKeyring(config);
  const database = await openDatabase(config, logger);
  try {
    await database.start(keyring.current.keyId, (storedKeyIds) => {
      const missing = storedKeyIds.filter((id) => !keyring.find(id));
      if (missing.length) {
        throw new StartupError(
          `The master key (${keyring.ids.join(', ')}, from ${keyring.describe}) does not match the data in ${database.describe}, ` +
            `which was sealed with master key ${missing.join(', ')}. Use the key that sealed this data. Nothing was changed.`,
        );
      }
    });
    const { repos } = database;
    // Every audited change also writes the alerts it makes, in its own transaction (alerts/service.ts).
    let nudgeSender = () => {};
    const alerts = createAlertService({
      repos,
      keyring,
      audit: createAuditRecorder(repos, now),
      now,
      logger,
      resolver: options.resolver ?? systemResolver,
      allowPrivate: config.alerts.allowPrivate,
      keyMaxAgeMs: config.keyMaxAgeMs,
      onEnqueued: () => nudgeSender(),
    });
    const audit = alertingAudit(createAuditRecorder(repos, now), alerts);
    const sessions = createSessionService({ repos, audit, now, limits: config.sessions });
    const passkeys = createPasskeyService({ repos, audit, sessions, now, logger });
    const people = createPeopleService({ repos, audit, now, publicOrigin: (requestUrl) => publicOrigin(config, requestUrl) });
    const oidc = config.oidc ? createOidcSignIn({ settings: config.oidc, repos, people, now }) : null;
    const pairing = createPairingService({ repos, audit, people, now, digestCode: (code) => keyring.pairingCodeDigests(code) });
    const checker = options.checker ?? createKeyChecker(config.stripe, now);
    const stripeClients = createStripeClientCache(config.stripe);
    const integrations = createIntegrationService({
      repos,
      keyring,
      checker,
      audit,
      now,
      logger,
      keyMaxAgeMs: config.keyMaxAgeMs,
      onKeyChanged: stripeClients.drop,
    });
    // Decided from HOST until main.ts reports the address it is bound to (host-check.ts).
    const hosts = hostPolicy(config.host);
    const app = createApp({
      hostAllowed: hosts.allows,
      config,
      proxyTrust: trust,
      sessions,
      passkeys,
      repos,
      database,
      pairing,
      people,
      oidc,
      integrations,
      audit,
      logger,
      now,
      version: VERSION,
      extraRoutes: [workflowRoutes({ integrations, stripeClients, logger }), alertRoutes({ alerts })],
    });
    const schedule = config.recheckIntervalMs > 0 ? startRecheckSchedule({ integrations, repos, intervalMs: config.recheckIntervalMs, logger, now }) : null;
    const alertSender = startAlertSender({
      repos,
      openSecret: alerts.openSecret,
      scanFound: async () => (await alerts.scanRotationDue()) + (await alerts.scanKeyExpiring()),
      now,
      logger,
      resolver: options.resolver ?? systemResolver,
      allowPrivate: config.alerts.allowPrivate,
      retryBaseMs: config.alerts.retryBaseMs,
      userAgent: `Serval/${VERSION}`,
    });
    nudgeSender = alertSender.nudge;

    return {
      app,
      repos,
      sessions,
      pairing,
      people,
      integrations,
      audit,
      alerts,
      database,
      keyring,
      hosts,
      async close() {
        await schedule?.stop();
        await alertSender.stop();
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
export function openKeyring(config: Config): Keyring {
  if (config.masterKeys) return new Keyring({ kind: 'env', keys: config.masterKeys });
  const file = masterKeyFile(config.dataDir);
  if (!fs.existsSync(file)) {
    if (!config.database.url && fs.existsSync(databaseFile(config.dataDir))) {
      throw new StartupError(
        `The data in ${config.dataDir} was sealed with a master key, but ${file} is missing and SERVAL_MASTER_KEY is not set. ` +
          'Restore master.key or set SERVAL_MASTER_KEY to the key that sealed this data. Nothing was changed.',
      );
    }
    makePrivate(config.dataDir);
    try {
      createMasterKeyFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process made it first: use that one
    }
  }
  return new Keyring({ kind: 'file', file });
}
