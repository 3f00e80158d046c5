/** What the offer card's tests share: a fake client, the offers they show, and a way to know Preact's effects have run. */
import { h, render } from 'preact';
import { useEffect } from 'preact/hooks';
import { vi } from 'vitest';
import type { CardClient } from '../../extension/card/card-client';
import type { PairedPerson, Reply } from '../../extension/messaging/protocol';
import { application, integration, RESTRICTED_LIVE, RESTRICTED_TEST, validation } from './fixtures';

export const ok = <T>(data: T): Reply<T> => ({ ok: true, data });
export const fail = (code: string, message: string, hint?: string): Reply<never> => ({ ok: false, error: { code, message, ...(hint ? { hint } : {}) } });

export const owner: PairedPerson = { id: 'per_owner', name: 'Owner', role: 'admin' };
export const member: PairedPerson = { id: 'per_ana', name: 'Ana Lima', role: 'member' };
export const viewer: PairedPerson = { id: 'per_bo', name: 'Bo Chen', role: 'viewer' };

/** Two applications, Payouts the default, paired as an admin; every request succeeds. */
export function fakeClient(overrides: Partial<CardClient> = {}): CardClient {
  return {
    listApplications: vi.fn(async () =>
      ok({ applications: [application(), application({ id: 'app_2', name: 'Payouts' })], defaultApplicationId: 'app_2', person: owner }),
    ),
    createApplication: vi.fn(async (name: string, stripeAccount?: string) =>
      ok({ application: application({ id: 'app_new', name, stripeAccount: stripeAccount ?? null }) }),
    ),
    setStripeAccount: vi.fn(async (applicationId: string, stripeAccount: string) => ok({ application: application({ id: applicationId, stripeAccount }) })),
    sendKey: vi.fn(async () => ok({ integration: integration(), validation: validation() })),
    rotateKey: vi.fn(async (ids: string[]) =>
      ok({
        validation: validation(),
        integrations: ids.map((applicationId) => integration({ applicationId })),
        replacements: ids.map((applicationId) => ({ applicationId, previousMaskedKey: 'rk_test_…0ld1', warnings: [] })),
      }),
    ),
    openOptions: vi.fn(async () => ok(null)),
    ...overrides,
  };
}

export const restrictedTest = { key: RESTRICTED_TEST, keyType: 'restricted' as const, mode: 'test' as const, maskedKey: 'rk_test_…8Hn0' };
export const restrictedLive = { key: RESTRICTED_LIVE, keyType: 'restricted' as const, mode: 'live' as const, maskedKey: 'rk_live_…8Hn0' };

/**
 * Resolves once Preact has run the effects of every render so far. Preact runs effects in the
 * order their renders happened, so when a probe rendered now has run its effect, the effects of
 * everything rendered before it have run too.
 */
export function effectsHaveRun(): Promise<void> {
  return new Promise((resolve) => {
    const container = document.createElement('div');
    function Probe() {
      useEffect(() => {
        resolve();
        queueMicrotask(() => render(null, container));
      }, []);
      return null;
    }
    render(h(Probe, null), container);
  });
}
