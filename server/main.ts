/** `npm start`: serve the backend, print a pairing code, stop cleanly on SIGTERM/SIGINT. */
import { serve } from '@hono/node-server';
import fs from 'node:fs';
import { flushCompileCache } from 'node:module';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { fromRoot } from './paths.js';
import { clockTime } from './pairing/codes.js';
import { createRuntime, StartupError, VERSION, type Runtime } from './runtime.js';
import { MasterKeyError } from './crypto/master-key.js';
import { describeCause, isDatabaseUnavailable } from './db/unavailable.js';

function fail(message: string): never {
  process.stderr.write(`\nServal backend did not start.\n${message}\n\n`);
  process.exit(1);
}

/** Everything runs inside a function: the production bundle is CommonJS, which has no top-level await (server/build.ts). */
async function start(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }

  const logger = createLogger({ level: config.logLevel, format: config.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json') });
  let runtime: Runtime;
  try {
    runtime = await createRuntime(config, { logger });
  } catch (error) {
    if (error instanceof StartupError || error instanceof MasterKeyError || error instanceof ConfigError) fail(error.message);
    if (isDatabaseUnavailable(error)) fail(`The database (DATABASE_URL) cannot be reached: ${describeCause(error)}`);
    throw error;
  }

  // For the earliest enabled admin; the first start of a backend without people makes Owner.
  const { code, expiresAt, person } = await runtime.pairing.issueCode();
  const codeLines = [
    `Pairing code: ${code}`,
    `  (for ${person.name}, ${person.role}; valid until ${clockTime(expiresAt)}, single use; \`npm run pair\` prints a fresh one)`,
  ];
  const where = pairingCodeDestination();
  const server = serve({ fetch: runtime.app.fetch, port: config.port, hostname: config.host }, (info) => {
    // The bound address decides the DNS-rebinding check, however HOST spelled it (host-check.ts).
    // This runs on 'listening', before the first connection can be accepted.
    runtime.hosts.boundTo(info.address);
    const url = `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`;
    process.stdout.write(
      [
        '',
        `Serval for Stripe backend ${VERSION} listening on ${url}`,
        `  data:     ${runtime.database.describe}`,
        `  stripe:   ${config.stripe.protocol}://${config.stripe.host}:${config.stripe.port}`,
        `  API docs: ${url}/docs`,
        ...extensionLines(),
        '',
        ...(where === 'stdout' ? codeLines : [where === 'stderr' ? PAIRING_CODE_ON_STDERR : PAIRING_CODE_NOT_PRINTED]),
        '',
        '',
      ].join('\n'),
    );
    if (where === 'stderr') process.stderr.write(`\n${codeLines.join('\n')}\n\n`);
    logger.info({ url, version: VERSION }, 'listening');
    // What start-up compiled goes to the compile cache now (server/launch.ts), not only at exit: a killed process leaves it too.
    flushCompileCache();
  });

  let stopping = false;
  function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    server.close(() => {
      void runtime.close().finally(() => logger.flush(() => process.exit(0)));
    });
    // Idle keep-alive connections (the extension's) shouldn't hold the shutdown up.
    if ('closeIdleConnections' in server) (server as { closeIdleConnections(): void }).closeIdleConnections();
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

const PAIRING_CODE_ON_STDERR = 'Pairing code: printed on stderr, never in this log (`npm run pair` prints a fresh one)';
const PAIRING_CODE_NOT_PRINTED = 'Pairing code: not printed, because stderr goes to the same place as this log; `npm run pair` prints one';

/**
 * Where the start-up pairing code goes. Anyone who reads it can pair for 10 minutes, so never into
 * the log stream: on a terminal, the banner with it is for the person watching; otherwise stdout
 * is the log (a file, a collector), and the code goes to stderr — unless stderr is that same file
 * or socket (`2>&1`, systemd's journal for both), and then nowhere.
 */
function pairingCodeDestination(): 'stdout' | 'stderr' | 'none' {
  if (process.stdout.isTTY) return 'stdout';
  try {
    const out = fs.fstatSync(1);
    const err = fs.fstatSync(2);
    return out.dev === err.dev && out.ino === err.ino ? 'none' : 'stderr';
  } catch {
    return 'none'; // a closed stdout or stderr: nowhere safe to say it
  }
}

/** Where `npm start` built the extension, and how to load it. */
function extensionLines(): string[] {
  const dir = fromRoot('.output/chrome-mv3');
  if (!fs.existsSync(dir)) return ['  extension: not built (run `npm run build`)'];
  return [`  extension: ${dir}`, '             chrome://extensions → Developer mode → Load unpacked → choose that folder'];
}

start().catch((error: unknown) => {
  // What start() doesn't explain itself: print it as node would and stop, as an unhandled rejection at the top level did.
  console.error(error);
  process.exit(1);
});
