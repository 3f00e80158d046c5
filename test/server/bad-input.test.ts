/** Bad input gets a clear error in the documented shape, loses nothing, and never crashes the server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCheckFor, hostName } from '../../server/host-check.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let appId: string;
let ownerId: string;

beforeAll(async () => {
  h = await startHarness();
  await h.pair();
  appId = await h.createApplication('Keep me');
  ownerId = (await h.get('/api/me')).body.person.id;
});
afterAll(async () => {
  await h.close();
});

function expectErrorShape(res: { status: number; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(Object.keys(res.body.error).every((k) => ['code', 'message', 'hint', 'details'].includes(k))).toBe(true);
}

const bodyRoutes = () =>
  [
    ['POST', '/api/pair'],
    ['POST', '/api/applications'],
    ['PATCH', `/api/applications/${appId}`],
    ['PUT', `/api/applications/${appId}/integrations/stripe`],
    ['POST', '/api/stripe/validate'],
    ['POST', `/api/applications/${appId}/stripe/customers`],
    ['POST', '/api/people'],
    ['PATCH', `/api/people/${ownerId}`],
    ['POST', '/api/pairing-codes'],
  ] as const;

describe('every route with a body', () => {
  it('malformed JSON → 400 validation_failed', async () => {
    for (const [method, url] of bodyRoutes()) {
      for (const raw of ['{"name":', 'not json', '', '[1,2', '{"a":1}}']) {
        const res = await h.request(method, url, { raw });
        expect(res.status, `${method} ${url} ${JSON.stringify(raw)}`).toBe(400);
        expectErrorShape(res, 400, 'validation_failed');
      }
    }
  });

  it('a body that is not a JSON object, or not JSON at all → 400', async () => {
    for (const [method, url] of bodyRoutes()) {
      for (const raw of ['null', '[]', '"text"', '42', 'true']) expectErrorShape(await h.request(method, url, { raw }), 400, 'validation_failed');
      expectErrorShape(
        await h.request(method, url, { raw: 'name=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
        400,
        'validation_failed',
      );
    }
  });

  it('a body over 64 KiB → 413 payload_too_large', async () => {
    for (const [method, url] of bodyRoutes()) {
      const res = await h.request(method, url, { body: { name: 'x'.repeat(70_000), apiKey: 'x'.repeat(70_000) } });
      expectErrorShape(res, 413, 'payload_too_large');
    }
  });
});

describe('wrong types, missing fields, odd strings', () => {
  it('applications: missing, empty, too long, wrong type, control characters', async () => {
    for (const body of [
      {},
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(101) },
      { name: 42 },
      { name: null },
      { name: ['a'] },
      { name: 'bad\u0000name' },
      { name: 'new\nline' },
    ]) {
      const res = await h.post('/api/applications', body);
      expectErrorShape(res, 400, 'validation_failed');
      expect(res.body.error.details[0]).toMatchObject({ path: 'name' });
    }
  });

  it('unicode names are kept exactly, trimmed', async () => {
    const name = '  Zahlungen 💳 Ünïcödé — 東京 ';
    const res = await h.post('/api/applications', { name });
    expect(res.status).toBe(201);
    expect(res.body.application.name).toBe(name.trim());
    expect((await h.get(`/api/applications/${res.body.application.id}`)).body.application.name).toBe(name.trim());
  });

  it('integration PUT: missing apiKey, wrong types, unknown source, giant key; a request cannot claim to be npm run import', async () => {
    const key = h.stripe.createKey();
    for (const body of [
      {},
      { apiKey: 123 },
      { apiKey: null },
      { apiKey: 'sk_test_x', source: 'browser' },
      { apiKey: `sk_test_${'a'.repeat(2000)}` },
      { apiKey: key, source: 'import' },
    ]) {
      expectErrorShape(await h.put(`/api/applications/${appId}/integrations/stripe`, body), 400, 'validation_failed');
    }
    expectErrorShape(await h.post('/api/stripe/rotate', { apiKey: key, applicationIds: [appId], source: 'import' }), 400, 'validation_failed');
  });

  it('keys with spaces, newlines, tabs, zero-width or non-ASCII characters → 422 malformed_key, nothing sent to Stripe', async () => {
    h.stripe.resetRequests();
    const good = h.stripe.createKey({ type: 'restricted' });
    for (const apiKey of [
      `${good.slice(0, 20)} ${good.slice(20)}`,
      `${good.slice(0, 20)}\n${good.slice(20)}`,
      good.replace('_', '\t'),
      `${good}\u200b`,
      `${good.slice(0, -1)}é`,
      '🔑',
      '',
    ]) {
      expectErrorShape(await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey }), 422, 'malformed_key');
    }
    expect(h.stripe.requests).toHaveLength(0);
  });

  it('pair: missing fields and wrong types', async () => {
    for (const body of [{}, { code: 'ABCD-EFGH' }, { deviceName: 'x' }, { code: 5, deviceName: 'x' }, { code: 'A'.repeat(100), deviceName: 'x' }]) {
      expectErrorShape(await h.post('/api/pair', body, { token: null }), 400, 'validation_failed');
    }
  });

  it('audit limit must be 1..500', async () => {
    for (const q of ['0', '501', 'abc', '1.5', '-1']) expectErrorShape(await h.get(`/api/audit?limit=${q}`), 400, 'validation_failed');
    expect((await h.get('/api/audit?limit=2')).body.events.length).toBeLessThanOrEqual(2);
  });

  it('unknown ids and routes → 404 in the documented shape', async () => {
    expectErrorShape(await h.get('/api/applications/app_doesnotexist'), 404, 'application_not_found');
    expectErrorShape(await h.get(`/api/applications/${'x'.repeat(65)}`), 400, 'validation_failed');
    expectErrorShape(await h.put('/api/applications/app_doesnotexist/integrations/stripe', { apiKey: h.stripe.createKey() }), 404, 'application_not_found');
    expectErrorShape(await h.get(`/api/applications/${appId}/integrations/stripe`), 404, 'integration_not_found');
    expectErrorShape(await h.get('/api/nothing-here'), 404, 'not_found');
    expectErrorShape(await h.patch('/api/people/per_doesnotexist', { role: 'viewer' }), 404, 'person_not_found');
    expectErrorShape(await h.post('/api/people/per_doesnotexist/invites'), 404, 'person_not_found');
    expectErrorShape(await h.post('/api/pairing-codes', { personId: 'per_doesnotexist' }), 404, 'person_not_found');
  });

  it('people: a role outside the three, an e-mail address that is not one, an empty change → 400, and no one changes', async () => {
    for (const body of [{ name: 'X', role: 'root' }, { name: 'X', role: null }, { name: 'X', role: 'member', email: 'a@' }, { role: 'member' }]) {
      expectErrorShape(await h.post('/api/people', body), 400, 'validation_failed');
    }
    for (const body of [{ role: 'owner' }, {}, { disabled: 1 }, { name: 'x'.repeat(101) }]) {
      expectErrorShape(await h.patch(`/api/people/${ownerId}`, body), 400, 'validation_failed');
    }
    expect((await h.get('/api/people')).body.people).toEqual([expect.objectContaining({ id: ownerId, name: 'Owner', role: 'admin', disabledAt: null })]);
  });

  it('after all of that, the data is intact and the server still answers', async () => {
    const res = await h.get(`/api/applications/${appId}`);
    expect(res.body.application).toMatchObject({ id: appId, name: 'Keep me', stripe: null });
    await h.checkIntegrity();
    expect(h.logLines.some((l) => l.includes('"unhandled error"'))).toBe(false);
  });
});

describe('the OpenAPI document', () => {
  it('covers the REST API of the design, and /docs serves a local page', async () => {
    const doc = (await h.get('/api/openapi.json', { token: null })).body;
    const ops = Object.entries<any>(doc.paths).flatMap(([p, m]) => Object.keys(m).map((verb) => `${verb.toUpperCase()} ${p}`));
    for (const op of [
      'GET /health',
      'POST /pair',
      'GET /status',
      'GET /devices',
      'DELETE /devices/{id}',
      'GET /applications',
      'POST /applications',
      'GET /applications/{id}',
      'PATCH /applications/{id}',
      'DELETE /applications/{id}',
      'PUT /applications/{id}/integrations/stripe',
      'GET /applications/{id}/integrations/stripe',
      'POST /applications/{id}/integrations/stripe/validate',
      'DELETE /applications/{id}/integrations/stripe',
      'POST /stripe/validate',
      'GET /audit',
      'GET /applications/{id}/stripe/balance',
      'GET /applications/{id}/stripe/charges',
      'GET /applications/{id}/stripe/customers',
      'POST /applications/{id}/stripe/customers',
      'GET /applications/{id}/stripe/customers/{customerId}',
      'PATCH /applications/{id}/stripe/customers/{customerId}',
      'GET /applications/{id}/stripe/balance_transactions',
      'GET /me',
      'GET /people',
      'POST /people',
      'PATCH /people/{id}',
      'POST /people/{id}/invites',
      'POST /pairing-codes',
    ]) {
      expect(ops).toContain(op);
    }
    expect(doc.components.schemas).toHaveProperty('Integration');
    const page = await h.get('/docs', { token: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(page.body).not.toMatch(/https?:\/\/(?!127)/); // no CDN
    expect((await h.get('/docs/assets/swagger-ui-bundle.js', { token: null })).status).toBe(200);
  });
});

describe('DNS rebinding', () => {
  it('a loopback backend answers only to loopback host names', async () => {
    for (const host of ['127.0.0.1:8787', 'localhost:8787', '[::1]:8787', 'LOCALHOST']) {
      expect((await h.get('/api/health', { token: null, headers: { Host: host } })).status, host).toBe(200);
    }
    for (const host of ['evil.example:8787', 'evil.example', '127.0.0.1.evil.example']) {
      const res = await h.get('/api/health', { token: null, headers: { Host: host } });
      expect(res.status, host).toBe(421);
      expect(res.body.error.code).toBe('host_not_allowed');
    }
  });

  it('every loopback bind (127.x, localhost, ::1, [::1]) applies the check; other binds answer any host', async () => {
    for (const bind of ['::1', '[::1]', '127.0.0.2', 'localhost', '0:0:0:0:0:0:0:1']) {
      const other = await startHarness({ env: { HOST: bind } });
      try {
        const foreign = await other.get('/api/health', { token: null, headers: { Host: 'evil.example:8787' } });
        expect(foreign.status, bind).toBe(421);
        expect((await other.get('/api/health', { token: null, headers: { Host: '[::1]:8787' } })).status, bind).toBe(200);
        expect((await other.get('/api/health', { token: null, headers: { Host: '127.0.0.2:8787' } })).status, bind).toBe(200);
      } finally {
        await other.close();
      }
    }
    const check = hostCheckFor('127.0.0.1')!;
    expect(check('localhost:8787')).toBe(true);
    expect(check('evil.example:8787')).toBe(false);
    expect(check('localhost:8787.evil.example')).toBe(false);
    expect(hostCheckFor('0.0.0.0')).toBeNull();
    expect(hostCheckFor('192.168.1.10')).toBeNull();
    expect(hostName('[::1]:8787')).toBe('::1');
    expect(hostName('::1')).toBe('::1');
    expect(hostName('LOCALHOST:80')).toBe('localhost');
  });
});
