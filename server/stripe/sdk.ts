/**
 * stripe-node, loaded on first use rather than at start-up: it is the largest thing the server
 * runs, and nothing needs it until the first key check or workflow — so `npm run serve` answers
 * sooner, and a server that never meets a key never loads it.
 */
import type StripeSdk from 'stripe';

export type { StripeSdk };

let loaded: typeof StripeSdk | undefined;

export async function stripeSdk(): Promise<typeof StripeSdk> {
  loaded ??= (await import('stripe')).default;
  return loaded;
}

/** The SDK if it is loaded: every Stripe error comes from a call, which loaded it first. */
export function loadedStripeSdk(): typeof StripeSdk | undefined {
  return loaded;
}
