/**
 * Structured JSON logs, one line per event. Every line passes through the key scrubber on its way
 * out, so a Stripe key can't reach the log whatever was logged — Stripe's own messages included.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { scrubSecrets } from '../shared/keys.js';

export type { Logger };

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'serval' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: scrubSecrets },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that keeps its lines in memory: for tests that check what was logged. */
export function createMemoryLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
}
