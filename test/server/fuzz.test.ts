/**
 * Fuzzing with fast-check: generated methods, paths, query strings, headers, JSON bodies and raw
 * bytes against every route of the OpenAPI document. Whatever arrives, the answer is never a 5xx
 * and every error is in the documented shape — and the server still answers afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let appId: string;
let routes: Array<{ method: string; path: string }>;

beforeAll(async () => {
  h = await startHarness();
  await h.pair();
  appId = await h.createApplication('Fuzzed');
  await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: h.stripe.createKey({ type: 'restricted' }) });
  const doc = (await h.get('/api/openapi.json', { token: null })).body;
  routes = Object.entries<Record<string, unknown>>(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path: `/api${path}` })),
  );
});
afterAll(async () => {
  await h.close();
});

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const anyText = fc.string({ unit: 'binary', maxLength: 60 });
/** A path parameter: the real application, a plausible id, or anything at all (%-encoded, or raw with its % signs). */
const pathParam = fc.oneof(
  fc.constant('__app__'),
  fc.constantFrom('app_x', 'cus_x', 'dev_x', 'x'.repeat(65), '..', '%00', '%2F', `a%0Ask_live_${'a'.repeat(24)}`),
  anyText.map(encodeURIComponent),
  printable.map((s) => s.replace(/[/?#\\]/g, '')).filter((s) => s.length > 0),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(fc.constantFrom('limit', 'starting_after', 'customer', 'email', 'type', 'expand[]', 'x'), fc.oneof(anyText, fc.integer().map(String)))
    .map((q) => `?${new URLSearchParams(q).toString()}`),
  printable.map((s) => `?${s.replace(/#/g, '')}`),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        name: fc.oneof(anyText, fc.jsonValue()),
        apiKey: fc.oneof(anyText, fc.jsonValue()),
        code: anyText,
        deviceName: anyText,
        source: anyText,
        email: anyText,
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const headers = fc.record(
  {
    'Content-Type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      '',
    ),
    'Idempotency-Key': printable,
    Accept: printable,
    'X-Anything': printable,
  },
  { requiredKeys: [] },
);

function expectWellFormed(res: { status: number; body: any }, what: string) {
  expect(res.status, what).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.body?.error, what).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    expect(
      Object.keys(res.body.error).every((k) => ['code', 'message', 'hint', 'details'].includes(k)),
      what,
    ).toBe(true);
  }
}

describe('every route, fuzzed', () => {
  it('never answers 5xx, and every error is in the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'ROUTE'),
        fc.array(pathParam, { minLength: 2, maxLength: 2 }),
        query,
        body,
        headers,
        fc.boolean(),
        async (pick, methodChoice, params, q, raw, extraHeaders, authenticated) => {
          const route = routes[pick % routes.length];
          const method = methodChoice === 'ROUTE' ? route.method : methodChoice;
          let i = 0;
          const path = route.path.replace(/\{[^}]+\}/g, () => (params[i] === '__app__' ? appId : params[i++ % 2]) ?? 'x') + q;
          const res = await h.request(method, path, {
            raw: method === 'GET' || method === 'DELETE' ? undefined : raw,
            headers: Object.fromEntries(Object.entries(extraHeaders).filter(([, v]) => v !== '')),
            token: authenticated ? undefined : null,
          });
          expectWellFormed(res, `${method} ${path} ${JSON.stringify(raw)?.slice(0, 200)}`);
        },
      ),
      { numRuns: 1000 },
    );
    // …and afterwards the server still answers and the database is sound (the fuzzer may have
    // renamed or deleted the application: that is what those routes are for).
    // (It may have signed its own device out, too: DELETE /api/session.)
    const token = await h.pair('After fuzzing');
    expect([200, 404]).toContain((await h.get(`/api/applications/${appId}`, { token })).status);
    expect((await h.get('/api/status', { token })).status).toBe(200);
    await h.checkIntegrity();
  });
});
