/**
 * The set-up the key-outcome files share: one backend (the real API, the real SDK, the test
 * Stripe) paired once, a fresh application and Stripe account for every test, and the check at the
 * end that no key a test used was ever exposed. A file calls `useKeyWorld()` once; its hooks set
 * the state below (ES modules' exported bindings are live).
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { newAccountId } from '../stripe-server/keys.js';
import { startHarness, type Harness } from './harness.js';

export let h: Harness;
export let appId: string;
const usedKeys: string[] = [];
/**
 * Restricted test keys with all five permissions unless said otherwise, on a Stripe account of
 * the test's own: applications in different tests are unrelated (no account_used_elsewhere).
 */
let account: string;
export const key = (opts?: Parameters<Harness['stripe']['createKey']>[0]) => {
  const k = h.stripe.createKey({ type: 'restricted', accountId: account, ...opts });
  usedKeys.push(k);
  return k;
};
export const connect = (apiKey: string, id = appId) => h.put(`/api/applications/${id}/integrations/stripe`, { apiKey, source: 'extension' });
export const integration = async (id = appId) => (await h.get(`/api/applications/${id}/integrations/stripe`)).body;

export function useKeyWorld(): void {
  beforeAll(async () => {
    h = await startHarness();
    await h.pair();
  });
  beforeEach(async () => {
    account = newAccountId();
    h.stripe.clearFaults();
    h.stripe.setLatency(0);
    h.stripe.permissionWording = 'A';
    appId = await h.createApplication(`App ${Math.random().toString(36).slice(2, 7)}`);
    h.stripe.resetRequests();
  });
  afterAll(async () => {
    await h.assertNeverExposed(usedKeys);
    await h.close();
  });
}
