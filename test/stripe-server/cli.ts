/**
 * Runs the Stripe test server on its own, for end-to-end tests and benchmarks that start the
 * backend as a child process:
 *
 *   PORT=12111 node --import tsx test/stripe-server/cli.ts
 *
 * Env: PORT (default 12111, 0 = any free port), HOST (default 127.0.0.1), LATENCY_MS (default 0),
 * SEED (objects of each kind for the default account, default 25).
 * Prints the URL, then ready-made keys as `NAME=value` lines, one per line.
 */
import { startStripeServer } from './index.js';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

const server = await startStripeServer({
  port: intFromEnv('PORT', 12111),
  host: process.env.HOST || '127.0.0.1',
  latencyMs: intFromEnv('LATENCY_MS', 0),
  recordRequests: false, // nobody can read them from outside the process
});

const seed = intFromEnv('SEED', 25);
server.seed(server.defaultAccountId, { customers: seed, charges: seed, balanceTransactions: seed });

const keys: Record<string, string> = {
  STRIPE_ACCOUNT_ID: server.defaultAccountId,
  STRIPE_SECRET_KEY: server.createKey({ type: 'secret' }),
  STRIPE_RESTRICTED_KEY: server.createKey({ type: 'restricted' }),
  STRIPE_RESTRICTED_KEY_READ_ONLY: server.createKey({
    type: 'restricted',
    permissions: ['charges_read', 'customers_read', 'balance_read', 'balance_transactions_read'],
  }),
  STRIPE_RESTRICTED_KEY_NO_PERMISSIONS: server.createKey({ type: 'restricted', permissions: [] }),
  STRIPE_EXPIRED_KEY: server.createKey({ type: 'restricted', expired: true }),
  STRIPE_LIVE_RESTRICTED_KEY: server.createKey({ type: 'restricted', mode: 'live' }),
  STRIPE_LEGACY_SECRET_KEY: server.createKey({ type: 'secret', legacy: true }),
};

console.log(`Stripe test server listening on ${server.url}`);
for (const [name, value] of Object.entries(keys)) console.log(`${name}=${value}`);

function shutdown(): void {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
