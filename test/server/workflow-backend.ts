/**
 * What every workflow test file shares: one backend per file, paired, against the Stripe test
 * server; applications connected with keys on Stripe accounts of their own, so tests never see
 * each other's data; and the questions the tests ask of the API and of Stripe. When the file is
 * done, no key it used may appear in any response, log line or database file.
 */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { newAccountId } from '../stripe-server/keys.js';
import { startHarness, type Harness } from './harness.js';

type KeyOptions = NonNullable<Parameters<Harness['stripe']['createKey']>[0]>;

export function useWorkflowBackend() {
  let h: Harness | undefined;
  const usedKeys: string[] = [];
  const backend = (): Harness => {
    if (!h) throw new Error('the workflow backend is not started yet (use it inside a test or hook)');
    return h;
  };

  beforeAll(async () => {
    h = await startHarness();
    await h.pair();
  });
  beforeEach(() => {
    backend().stripe.clearFaults();
    backend().stripe.setLatency(0);
    backend().stripe.permissionWording = 'A';
  });
  afterAll(async () => {
    await h?.assertNeverExposed(usedKeys);
    await h?.close();
  });

  /** An application of its own, connected with a restricted key (all five permissions unless said) on an account of its own. */
  async function connectedApp(opts: KeyOptions & { seed?: { customers?: number; charges?: number; balanceTransactions?: number } } = {}) {
    const h = backend();
    const accountId = opts.accountId ?? newAccountId();
    if (opts.seed) h.stripe.seed(accountId, opts.seed);
    const key = h.stripe.createKey({ type: 'restricted', ...opts, accountId });
    usedKeys.push(key);
    const appId = await h.createApplication(`App ${Math.random().toString(36).slice(2, 7)}`);
    const res = await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: key, source: 'api' });
    expect(res.status).toBe(200);
    h.stripe.resetRequests();
    const base = `/api/applications/${appId}/stripe`;
    return { appId, key, accountId, base };
  }

  return {
    backend,
    usedKeys,
    connectedApp,
    integrationOf: async (appId: string) => (await backend().get(`/api/applications/${appId}/integrations/stripe`)).body.integration,
    auditFor: async (appId: string) => ((await backend().get('/api/audit?limit=200')).body.events as any[]).filter((e) => e.applicationId === appId),
    statusChanges: async (appId: string) =>
      ((await backend().get('/api/audit?limit=200')).body.events as any[]).filter(
        (e) => e.applicationId === appId && e.action === 'integration.status_changed',
      ),
    /** What the backend asked Stripe, as `GET /v1/charges?limit=1`. */
    stripeCalls: () => backend().stripe.requests.map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`),
    /** Stripe's own answer, asked directly with the key. */
    directStripe: async (key: string, pathAndQuery: string) => {
      const res = await fetch(`${backend().stripe.url}${pathAndQuery}`, { headers: { Authorization: `Bearer ${key}` } });
      return res.json();
    },
  };
}

export type ConnectedApp = Awaited<ReturnType<ReturnType<typeof useWorkflowBackend>['connectedApp']>>;
