/**
 * Structured JSON logs, one line per event. Keys are scrubbed twice: from every string value
 * before it is serialised (so no escaping can split a key from what the scrubber sees), and from
 * the finished line on its way out (the message, and anything a serialiser added) — so a Stripe
 * key can't reach the log whatever was logged, Stripe's own messages included.
 */
import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';
import { scrubSecrets } from '../shared/keys.js';

export type { Logger };

export type LogFormat = 'json' | 'pretty';

export function createLogger(options: { level?: string; format?: LogFormat; destination?: DestinationStream } = {}): Logger {
  const json = options.destination === undefined && options.format !== 'pretty' ? jsonStdout() : null;
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { service: 'serval' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => scrubValues(object, 0) as Record<string, unknown> },
      hooks: { streamWrite: scrubSecrets },
    },
    options.destination ?? json?.destination ?? prettyStdout(),
  );
  json?.reportDropsTo(logger);
  return logger;
}

/** How much log a reader of stdout that has stopped keeping up may leave waiting in memory. */
const MAX_UNWRITTEN_LOG_BYTES = 16 * 1024 * 1024;

/**
 * For machines: JSON lines to stdout through pino's asynchronous destination (sonic-boom), so a
 * slow reader of stdout never blocks a request. When that reader stops keeping up, at most
 * MAX_UNWRITTEN_LOG_BYTES wait in memory: lines beyond are dropped, and how many is logged once a
 * minute while it happens — a server that keeps serving with a gap in its log, rather than one
 * whose memory grows until it is killed. On exit pino writes what is left synchronously.
 */
function jsonStdout(): { destination: DestinationStream; reportDropsTo(logger: Logger): void } {
  const destination = pino.destination({ dest: 1, sync: false, maxLength: MAX_UNWRITTEN_LOG_BYTES });
  let dropped = 0;
  destination.on('drop', () => dropped++);
  return {
    destination,
    reportDropsTo(logger) {
      setInterval(() => {
        if (dropped === 0) return;
        logger.warn({ dropped }, 'log lines dropped: stdout is not being read as fast as the server writes');
        dropped = 0;
      }, 60_000).unref();
    },
  };
}

/**
 * For a person at a terminal: `10:42:07 INFO  GET /api/status 200 1.2ms`, other events with their
 * details below. It receives lines already scrubbed (the streamWrite hook runs first). pino-pretty
 * is loaded only here, so machines that log JSON never pay for it.
 */
function prettyStdout(): DestinationStream {
  const require = createRequire(import.meta.url);
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({
    destination: 1,
    sync: true,
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service,method,path,status,ms,deviceId',
    singleLine: false,
    messageFormat: (log: Record<string, unknown>, messageKey: string) =>
      log[messageKey] === 'request' ? `${String(log.method)} ${String(log.path)} ${String(log.status)} ${String(log.ms)}ms` : String(log[messageKey] ?? ''),
  });
}

/** A logger that keeps its lines in memory: for tests that check what was logged. */
export function createMemoryLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
}

/**
 * Every string in a logged object, scrubbed; plain objects and arrays are walked (to a sane
 * depth). What holds nothing to scrub is returned as it is, so a request line allocates nothing here.
 */
export function scrubValues(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const scrubbed = value.map((v) => scrubValues(v, depth + 1));
    return scrubbed.some((v, i) => v !== value[i]) ? scrubbed : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value; // errors and the like: the line scrub covers them
  let out: Record<string, unknown> | null = null;
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    const scrubbed = scrubValues(v, depth + 1);
    if (scrubbed !== v) out ??= { ...(value as Record<string, unknown>) };
    if (out) out[k] = scrubbed;
  }
  return out ?? value;
}
