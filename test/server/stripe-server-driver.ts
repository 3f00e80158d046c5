/**
 * What the Stripe test server's own tests share: one server per file, reset after each test, and
 * the two ways to drive it — the real `stripe` SDK and raw fetch — so that it is checked both as
 * the SDK sees it and as it is on the wire.
 */
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startStripeServer, type StripeTestServer } from '../stripe-server/index.js';

export function useStripeServer() {
  let started: StripeTestServer | undefined;
  const server = (): StripeTestServer => {
    if (!started) throw new Error('the Stripe test server is not started yet (use it inside a test or hook)');
    return started;
  };

  beforeAll(async () => {
    started = await startStripeServer();
  });
  afterAll(async () => {
    await started?.close();
  });
  afterEach(() => {
    server().clearFaults();
    server().setLatency(0);
    server().permissionWording = 'A';
  });

  return {
    server,
    sdk(key: string, extra: Stripe.StripeConfig = {}): Stripe {
      return new Stripe(key, { ...server().sdkConfig, maxNetworkRetries: 0, telemetry: false, ...extra });
    },
    raw(path: string, init: { key?: string; method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
      const headers: Record<string, string> = { ...init.headers };
      if (init.key !== undefined) headers.authorization = `Bearer ${init.key}`;
      if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      return fetch(`${server().url}${path}`, { method: init.method ?? 'GET', headers, body: init.body });
    },
  };
}

/** Runs a promise expected to reject, and returns the error for assertions. */
export async function failure(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error('expected the request to fail');
}

/** A fresh account per test that seeds or creates, so tests never see each other's data. */
export function freshAccount(): string {
  return `acct_1${Math.random().toString(36).slice(2, 10).padEnd(15, 'x')}`;
}
