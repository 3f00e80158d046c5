/**
 * One stripe-node client per stored key, reused across requests so its keep-alive connections
 * are too. Built from the sealed key when first needed; dropped when the key changes or goes.
 * Every request names the fingerprint of the key stored now, so a client cached for a key that
 * another instance has since replaced is never used.
 */
import type Stripe from 'stripe';
import { createStripeClient, type StripeSettings } from '../stripe/client.js';

export type StripeClientCache = ReturnType<typeof createStripeClientCache>;

export function createStripeClientCache(settings: StripeSettings) {
  const clients = new Map<string, { fingerprint: string; stripe: Stripe }>();
  return {
    /** `open` unseals the key; it runs only when there is no client for this very key yet. */
    async get(applicationId: string, fingerprint: string, open: () => Promise<string>): Promise<Stripe> {
      const cached = clients.get(applicationId);
      if (cached && cached.fingerprint === fingerprint) return cached.stripe;
      const stripe = await createStripeClient(await open(), settings);
      clients.set(applicationId, { fingerprint, stripe });
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
