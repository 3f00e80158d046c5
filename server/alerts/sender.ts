/**
 * Delivers the outbox. Each instance ticks, claims a batch of due deliveries for itself (a lease in
 * the database, so that instances sharing one deliver each once), and sends them at once: a
 * receiver that hangs costs its own attempt's 10 s and nothing else. A 2xx is delivered; anything
 * else is tried again after the retry base, doubling, for up to 24 h, then failed. Stopping gives
 * unfinished claims back untouched: a restart loses nothing pending.
 */
import type { AlertPayload } from '../../shared/alerts.js';
import type { ClaimedDelivery, DeliveryOutcome, Repositories } from '../db/repositories.js';
import type { Logger } from '../logger.js';
import { AlertUrlError, judgeUrl } from './address.js';
import { nextAttemptAt } from './backoff.js';
import { ATTEMPT_TIMEOUT_MS, type AttemptResult, post, type Resolver, resolveTarget } from './deliver.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';
import { slackMessage } from './slack.js';

const BATCH = 10;
/** At most this many attempts under way at once, per instance. */
const MAX_IN_FLIGHT = 32;
/** Longer than an attempt may take, so that a claim outlives its attempt. */
const LEASE_MS = ATTEMPT_TIMEOUT_MS * 6;
/** How often to look for events found by looking: keys fallen due for rotation, keys about to stop working. */
const SCAN_EVERY_MS = 60_000;

export type AlertSenderDeps = {
  repos: Repositories;
  openSecret: (endpoint: ClaimedDelivery['endpoint']) => string;
  /** Writes the events found by looking (alerts/service.ts scanRotationDue, scanKeyExpiring). */
  scanFound: () => Promise<number>;
  now: () => Date;
  logger: Logger;
  resolver: Resolver;
  allowPrivate: boolean;
  /** SERVAL_ALERT_RETRY_BASE_SECONDS, in ms. */
  retryBaseMs: number;
  userAgent: string;
};

/** The body an endpoint receives: the stored payload itself for a webhook (what is signed), Slack's message shape for Slack. */
export function bodyFor(kind: ClaimedDelivery['endpoint']['kind'], payload: string): string {
  return kind === 'slack' ? JSON.stringify(slackMessage(JSON.parse(payload) as AlertPayload)) : payload;
}

export function startAlertSender(deps: AlertSenderDeps) {
  const { repos, now, logger, retryBaseMs } = deps;
  const tickMs = Math.min(Math.max(retryBaseMs, 50), 1000);
  const inFlight = new Set<AbortController>();
  let stopping = false;

  async function attempt(delivery: ClaimedDelivery): Promise<void> {
    const lease = delivery.leaseUntil as string;
    const controller = new AbortController();
    inFlight.add(controller);
    let result: AttemptResult;
    try {
      const url = judgeUrl(delivery.endpoint.url);
      const target = await resolveTarget(url, deps.resolver, deps.allowPrivate);
      const body = bodyFor(delivery.endpoint.kind, delivery.event.payload);
      const headers = {
        'Content-Type': 'application/json',
        'User-Agent': deps.userAgent,
        [SIGNATURE_HEADER]: signatureHeader(deps.openSecret(delivery.endpoint), now(), body),
      };
      result = await post({ url, target, headers, body, signal: controller.signal });
    } catch (error) {
      result = { ok: false, status: null, error: error instanceof AlertUrlError ? `refused: ${error.message}` : 'could not be sent' };
      if (!(error instanceof AlertUrlError))
        logger.warn({ deliveryId: delivery.id, err: error instanceof Error ? error.message : String(error) }, 'alert not sent');
    } finally {
      inFlight.delete(controller);
    }
    if (controller.signal.aborted) return repos.alerts.release(delivery.id, lease); // stopping: as if never claimed
    const at = now();
    const attempts = delivery.attempts + 1;
    const next = result.ok ? null : nextAttemptAt({ attempts, eventAt: new Date(delivery.event.createdAt), now: at, baseMs: retryBaseMs });
    const outcome: DeliveryOutcome = {
      status: result.ok ? 'delivered' : next ? 'pending' : 'failed',
      attempts,
      nextAttemptAt: (next ?? at).toISOString(),
      lastAttemptAt: at.toISOString(),
      lastStatus: result.status,
      lastError: result.ok ? null : result.error,
    };
    await repos.alerts.settle(delivery.id, lease, outcome);
    const log = { deliveryId: delivery.id, eventId: delivery.event.id, type: delivery.event.type, endpointId: delivery.endpoint.id, attempts };
    if (result.ok) logger.info({ ...log, status: result.status }, 'alert delivered');
    else logger.warn({ ...log, status: result.status, err: result.error, next: outcome.status }, 'alert not delivered');
  }

  /** Attempts under way: each runs on its own, so a receiver that hangs holds its own slot only. */
  const pending = new Set<Promise<void>>();

  let lastScan = 0;
  async function round(): Promise<void> {
    if (Date.now() - lastScan >= SCAN_EVERY_MS) {
      lastScan = Date.now();
      await deps.scanFound();
    }
    while (!stopping) {
      const room = Math.min(BATCH, MAX_IN_FLIGHT - pending.size);
      if (room <= 0) return;
      const at = now();
      const claimed = await repos.alerts.claim({ now: at.toISOString(), leaseUntil: new Date(at.getTime() + LEASE_MS).toISOString(), limit: room });
      for (const delivery of claimed) {
        const running: Promise<void> = attempt(delivery)
          .catch((error: unknown) =>
            logger.error({ deliveryId: delivery.id, err: error instanceof Error ? error.message : String(error) }, 'alert attempt failed'),
          )
          .finally(() => {
            pending.delete(running);
            run(); // a slot is free, and a retry may be due soon
          });
        pending.add(running);
      }
      if (claimed.length < room) return;
    }
  }

  let running: Promise<void> | null = null;
  let again = false;
  function run(): void {
    if (stopping) return;
    if (running) {
      again = true; // asked during a round: one more round after it
      return;
    }
    running = round()
      .catch((error: unknown) => logger.error({ err: error instanceof Error ? error.message : String(error) }, 'alert round failed'))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  }
  const timer = setInterval(run, tickMs);
  timer.unref();

  return {
    /** An event was written: look now rather than at the next tick. */
    nudge(): void {
      setTimeout(run, 10).unref();
    },
    /** Stops ticking, gives back what is being sent (unsent, untouched), and waits for the round to end. */
    async stop(): Promise<void> {
      stopping = true;
      clearInterval(timer);
      for (const controller of inFlight) controller.abort();
      await running;
      await Promise.all(pending);
    },
  };
}
