/** Re-checks stored keys on a schedule, so a deleted or rolled key shows as `invalid` before a workflow fails. */
import type { IntegrationService } from './integrations/stripe-integration.js';
import type { Logger } from './logger.js';

export function startRecheckSchedule(integrations: IntegrationService, intervalMs: number, logger: Logger) {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return; // a slow round never overlaps the next
    running = integrations
      .recheckAll()
      .then((summary) => logger.info(summary, 'scheduled re-check done'))
      .catch((error: unknown) => logger.error({ err: String(error) }, 'scheduled re-check failed'))
      .finally(() => (running = null));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
