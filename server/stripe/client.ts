/** Builds stripe-node clients pointed at the configured Stripe (or Stripe-compatible) server. */
import type Stripe from 'stripe';
import type { Config } from '../config.js';
import { stripeSdk } from './sdk.js';

export type StripeSettings = Config['stripe'];

export async function createStripeClient(apiKey: string, settings: StripeSettings): Promise<Stripe> {
  const Sdk = await stripeSdk();
  return new Sdk(apiKey, {
    host: settings.host,
    port: settings.port,
    protocol: settings.protocol,
    timeout: settings.timeoutMs,
    maxNetworkRetries: settings.maxRetries,
    telemetry: false,
    appInfo: { name: 'Serval for Stripe' },
  });
}
