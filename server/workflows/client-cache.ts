/**
 * One stripe-node client per stored key, reused across requests so its keep-alive connections
 * are too. Built from the sealed key when first needed; dropped when the key changes or goes.
 * Every request names the fingerprint of the key stored now and the Stripe-Context its calls send
 * (an organization key's account), so a client cached for a key that another instance has since
 * replaced, or for an account the application no longer names, is never used.
 */
import type Stripe from 'stripe';
import { createStripeClient, type StripeSettings } from '../stripe/client.js';

export type StripeClientCache = ReturnType<typeof createStripeClientCache>;

export function createStripeClientCache(settings: StripeSettings) {
  const clients = new Map<string, { fingerprint: string; stripeContext: string | null; stripe: Stripe }>();
  return {
    /** `open` unseals the key; it runs only when there is no client for this very key yet. */
    async get(applicationId: string, current: { fingerprint: string; stripeContext: string | null }, open: () => Promise<string>): Promise<Stripe> {
      const cached = clients.get(applicationId);
      if (cached && cached.fingerprint === current.fingerprint && cached.stripeContext === current.stripeContext) return cached.stripe;
      const stripe = await createStripeClient(await open(), settings, current.stripeContext);
      clients.set(applicationId, { ...current, stripe });
      return stripe;
    },
    drop(applicationId: string): void {
      clients.delete(applicationId);
    },
    clear(): void {
      clients.clear();
    },
    get size(): number {
      return clients.size;
    },
  };
}
