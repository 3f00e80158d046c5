/**
 * A batch of stored keys re-checked for the schedule: grouped by Stripe account, a few accounts at
 * a time, each account's keys one after another, every request taking its slot from the pacer
 * (server/recheck-pacing.ts) so that no account hears from us more than it should. What became of
 * each key tells the schedule when to try it again.
 */
import { ApiError } from '../api-error.js';
import type { Repositories } from '../db/repositories.js';
import type { Logger } from '../logger.js';
import type { Pacer } from '../recheck-pacing.js';
import type { Rechecked, RecheckRefused } from './recheck.js';

export type RecheckSummary = { checked: number; changed: number; skipped: number };

/** What became of one key, and its Stripe account (null: not known). */
export type BatchResult = {
  applicationId: string;
  accountId: string | null;
} /** Stripe's answer is recorded: a verdict, or its refusal without one (as the last error). */ & (
  | { outcome: 'checked'; changed: boolean }
  | { outcome: 'removed' }
  /** Nothing is known: Stripe (or our database) didn't answer. Not before `retryAfterMs` (Stripe's Retry-After, else 0). */
  | { outcome: 'retry'; retryAfterMs: number }
);

type Claimed = { applicationId: string; accountId: string | null; status: string };

/** `pacer`: every request waits for its account's slot. `signal`: once aborted, no further key is started. */
export type BatchOptions = { pacer?: Pacer; signal?: AbortSignal };

/** How many Stripe accounts a batch checks at the same time. */
const ACCOUNTS_AT_ONCE = 4;

type Deps = {
  repos: Repositories;
  logger: Logger;
  recheckStored(applicationId: string, actor: null, reason: string, options: { pace?: () => Promise<() => void> }): Promise<Rechecked | RecheckRefused>;
};

export function createRecheckBatch({ repos, logger, recheckStored }: Deps) {
  /** One account's keys, in order. A rate limit stops the account there: the rest wait as long. */
  async function recheckAccount(account: string, rows: Claimed[], options: BatchOptions): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    const { pacer, signal } = options;
    const pace = pacer ? () => pacer.take(account) : undefined;
    for (const [i, row] of rows.entries()) {
      if (signal?.aborted) break; // stopping: the rest stay claimed until their lease runs out
      const { applicationId, accountId } = row;
      try {
        const result = await recheckStored(applicationId, null, 'scheduled re-check', { pace });
        if (!('refusal' in result)) {
          results.push({ applicationId, accountId, outcome: 'checked', changed: result.integration.status !== row.status });
          continue;
        }
        const { refusal } = result;
        if (result.patch) {
          logger.info({ applicationId, code: refusal.code }, 'scheduled re-check: Stripe answered without a verdict');
          results.push({ applicationId, accountId, outcome: 'checked', changed: false });
          continue;
        }
        logger.warn({ applicationId, code: refusal.code, retryAfterSeconds: refusal.retryAfterSeconds }, 'scheduled re-check skipped');
        const retryAfterMs = (refusal.retryAfterSeconds ?? 0) * 1000;
        results.push({ applicationId, accountId, outcome: 'retry', retryAfterMs });
        if (refusal.code === 'stripe_rate_limited') {
          for (const rest of rows.slice(i + 1)) results.push({ applicationId: rest.applicationId, accountId, outcome: 'retry', retryAfterMs });
          return results;
        }
      } catch (error) {
        if (error instanceof ApiError && error.code === 'integration_not_found') {
          results.push({ applicationId, accountId, outcome: 'removed' });
          continue;
        }
        logger.warn({ applicationId, err: error instanceof Error ? error.message : String(error) }, 'scheduled re-check skipped');
        results.push({ applicationId, accountId, outcome: 'retry', retryAfterMs: 0 });
      }
    }
    return results;
  }

  /** Re-checks the given stored keys, paced per Stripe account when a pacer is given. */
  async function recheckMany(applicationIds: string[], options: BatchOptions = {}): Promise<{ summary: RecheckSummary; results: BatchResult[] }> {
    const results: BatchResult[] = [];
    const byAccount = new Map<string, Claimed[]>();
    for (const applicationId of applicationIds) {
      const row = await repos.integrations.get(applicationId);
      if (!row) {
        results.push({ applicationId, accountId: null, outcome: 'removed' }); // removed since it was claimed
        continue;
      }
      // A key whose account is unknown is an account of its own.
      const account = row.accountId ? `account:${row.accountId}` : `application:${applicationId}`;
      byAccount.set(account, [...(byAccount.get(account) ?? []), { applicationId, accountId: row.accountId, status: row.status }]);
    }
    const queue = [...byAccount];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) results.push(...(await recheckAccount(next[0], next[1], options)));
    };
    await Promise.all(Array.from({ length: Math.min(ACCOUNTS_AT_ONCE, queue.length) }, worker));
    const summary: RecheckSummary = { checked: 0, changed: 0, skipped: 0 };
    for (const r of results) {
      if (r.outcome === 'checked') {
        summary.checked++;
        if (r.changed) summary.changed++;
      } else if (r.outcome === 'retry') summary.skipped++;
    }
    return { summary, results };
  }

  return { recheckMany };
}
