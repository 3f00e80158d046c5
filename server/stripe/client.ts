/** Builds stripe-node clients pointed at the configured Stripe (or Stripe-compatible) server. */
import Stripe from 'stripe';
import type { Config } from '../config.js';

export type StripeSettings = Config['stripe'];

export function createStripeClient(apiKey: string, settings: StripeSettings): Stripe {
  return new Stripe(apiKey, {
    host: settings.host,
    port: settings.port,
    protocol: settings.protocol,
    timeout: settings.timeoutMs,
    maxNetworkRetries: settings.maxRetries,
    telemetry: false,
    appInfo: { name: 'Serval for Stripe' },
  });
}
