/** Builds stripe-node clients pointed at the configured Stripe (or Stripe-compatible) server. */
import type Stripe from 'stripe';
import type { Config } from '../config.js';
import { stripeSdk } from './sdk.js';

export type StripeSettings = Config['stripe'];

export type ClientOptions = {
  /**
   * Awaited before every request the client sends, its own retries included, to the function to
   * call once the request is answered or has failed: the scheduled re-checks' pacing
   * (server/recheck-pacing.ts). The SDK's timeout starts after it.
   */
  pace?: () => Promise<() => void>;
};

/**
 * `stripeContext`: the account an organization key acts on, sent as the `Stripe-Context` header
 * with every request (stripe-node's `stripeContext` option); null for other keys.
 */
export async function createStripeClient(
  apiKey: string,
  settings: StripeSettings,
  stripeContext: string | null = null,
  options: ClientOptions = {},
): Promise<Stripe> {
  const Sdk = await stripeSdk();
  return new Sdk(apiKey, {
    host: settings.host,
    port: settings.port,
    protocol: settings.protocol,
    timeout: settings.timeoutMs,
    maxNetworkRetries: settings.maxRetries,
    telemetry: false,
    appInfo: { name: 'Serval for Stripe' },
    ...(stripeContext ? { stripeContext } : {}),
    ...(options.pace ? { httpClient: pacedHttpClient(Sdk, options.pace) } : {}),
  });
}

/** The SDK's own Node HTTP client, each request waiting for its slot and giving it back answered. */
function pacedHttpClient(Sdk: typeof Stripe, pace: () => Promise<() => void>): Stripe.HttpClient {
  const inner = Sdk.createNodeHttpClient();
  return Object.assign(Object.create(inner) as Stripe.HttpClient, {
    async makeRequest(...args: Parameters<Stripe.HttpClient['makeRequest']>) {
      const answered = await pace();
      try {
        return await inner.makeRequest(...args);
      } finally {
        answered();
      }
    },
  });
}
