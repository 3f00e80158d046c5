/** Workflow requests the API refuses itself (400) never reach Stripe. */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from './harness.js';
import { useWorkflowBackend, type ConnectedApp } from './workflow-backend.js';

const { backend, connectedApp } = useWorkflowBackend();
let h: Harness;
beforeAll(() => {
  h = backend();
});

describe('bad requests never reach Stripe', () => {
  let app: ConnectedApp;
  beforeAll(async () => {
    app = await connectedApp();
  });
  beforeEach(() => h.stripe.resetRequests());

  const badQueries: Array<[string, string]> = [
    ['charges', 'limit=0'],
    ['charges', 'limit=101'],
    ['charges', 'limit=abc'],
    ['charges', 'limit=1.5'],
    ['charges', 'limit=-1'],
    ['charges', 'limit='],
    ['charges', 'limit=0x10'],
    ['charges', 'limit=1e1'],
    ['charges', 'limit=1&limit=2'],
    ['charges', 'foo=1'],
    ['charges', 'expand[]=data.customer'],
    ['charges', 'starting_after=ch_a&ending_before=ch_b'],
    ['charges', 'starting_after=cus_abc'],
    ['charges', 'customer=cus_'],
    ['charges', 'customer=cus_abc$def'],
    ['charges', 'customer=ch_abc'],
    ['charges', `starting_after=${encodeURIComponent('ch_../../v1/customers')}`],
    ['customers', 'limit=0'],
    ['customers', 'email='],
    ['customers', 'starting_after=cus_a&ending_before=cus_b'],
    ['customers', 'starting_after=cus_abc!'],
    ['customers', 'ending_before=ch_abc'],
    ['customers', 'customer=cus_abc'],
    ['balance_transactions', 'type=bogus'],
    ['balance_transactions', 'starting_after=ch_abc'],
    ['balance', 'limit=1'],
  ];
  for (const [endpoint, query] of badQueries) {
    it(`GET ${endpoint}?${query} → 400 validation_failed`, async () => {
      const res = await h.get(`${app.base}/${endpoint}?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toBeTruthy();
      expect(Array.isArray(res.body.error.details)).toBe(true);
      expect(h.stripe.requests).toEqual([]);
    });
  }

  for (const customerId of ['cus_', 'cus_bad-chars', 'ch_3abc', 'not_a_customer', 'cus_abc%24', 'cus_abc%2F..%2Fx', `cus_${'a'.repeat(251)}`]) {
    it(`a malformed customer id (${customerId.slice(0, 24)}) → 400 on GET and PATCH`, async () => {
      const get = await h.get(`${app.base}/customers/${customerId}`);
      const patch = await h.patch(`${app.base}/customers/${customerId}`, { name: 'x' });
      expect([get.status, patch.status]).toEqual([400, 400]);
      expect(get.body.error.code).toBe('validation_failed');
      expect(h.stripe.requests).toEqual([]);
    });
  }

  const badBodies: Array<[string, unknown]> = [
    ['unknown field', { name: 'x', address: { city: 'Paris' } }],
    ['bad email', { email: 'not-an-email' }],
    ['name too long', { name: 'x'.repeat(257) }],
    ['phone too long', { phone: '1'.repeat(21) }],
    ['metadata not strings', { metadata: { a: 1 } }],
    ['metadata key too long', { metadata: { ['k'.repeat(41)]: 'v' } }],
    ['metadata with 51 keys', { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }],
    ['not an object', ['name']],
    ['a string', 'hello'],
  ];
  for (const [label, body] of badBodies) {
    it(`POST and PATCH with ${label} → 400`, async () => {
      const post = await h.post(`${app.base}/customers`, body);
      const patch = await h.patch(`${app.base}/customers/cus_abc123`, body);
      expect([post.status, patch.status]).toEqual([400, 400]);
      expect(post.body.error.code).toBe('validation_failed');
      expect(h.stripe.requests).toEqual([]);
    });
  }

  it('a body that is not JSON → 400', async () => {
    const res = await h.request('POST', `${app.base}/customers`, { raw: '{"name":' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(h.stripe.requests).toEqual([]);
  });

  it('an over-long Idempotency-Key → 400', async () => {
    const res = await h.post(`${app.base}/customers`, { name: 'x' }, { headers: { 'Idempotency-Key': 'k'.repeat(256) } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(h.stripe.requests).toEqual([]);
  });
});
