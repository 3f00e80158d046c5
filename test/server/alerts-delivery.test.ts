/**
 * Alert delivery over time, on both databases, to real receivers on loopback: an address that
 * turns private after the endpoint was added is refused before any connection, Slack gets its
 * shape, a delivery still failing 24 h after its event is marked failed, a key due for rotation
 * alerts once, a restart loses nothing pending, master-key rotation re-seals the signing secrets,
 * and no payload, delivery log or log line holds a key.
 */
import diagnostics from 'node:diagnostics_channel';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifySignature } from '../../server/alerts/signature.js';
import { masterKeyFile, readMasterKeyFile } from '../../server/crypto/master-key.js';
import { Sealer } from '../../server/crypto/sealing.js';
import { startAlertReceiver, stubResolver } from './alert-receiver.js';
import { dialect, randomMasterKey, startHarness, type Harness } from './harness.js';

const dns = new Map<string, string[]>();
const resolver = stubResolver(dns);

let h: Harness;
let receiver: Awaited<ReturnType<typeof startAlertReceiver>>;
let clockOffsetMs = 0;
const keys: string[] = [];
const secrets = new Map<string, string>();
beforeAll(async () => {
  receiver = await startAlertReceiver();
  h = await startHarness({ env: { SERVAL_ALERT_RETRY_BASE_SECONDS: '0.05' }, resolver, now: () => new Date(Date.now() + clockOffsetMs) });
  await h.pair();
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

async function addEndpoint(url: string, events: string[], kind = 'webhook'): Promise<string> {
  const res = await h.post('/api/alert-endpoints', { url, kind, events });
  expect(res.status).toBe(201);
  secrets.set(res.body.endpoint.id, res.body.secret);
  return res.body.endpoint.id;
}
const deliveries = async (id: string) => (await h.get(`/api/alert-endpoints/${id}/deliveries`)).body.deliveries as any[];

describe(`alert delivery (${dialect})`, () => {
  it('refuses a name that now resolves to 10.0.0.5 where the address is judged, before any connection is attempted', async () => {
    const attempted: string[] = [];
    const onSocket = (message: unknown) => {
      (message as { socket: net.Socket }).socket.on('connectionAttempt', (ip: string) => attempted.push(ip));
    };
    diagnostics.subscribe('net.client.socket', onSocket);
    try {
      dns.set('hooks.example.test', ['93.184.215.14']); // public when the endpoint is added…
      const rebound = await addEndpoint('https://hooks.example.test/alerts', ['device.paired']);
      dns.set('hooks.example.test', ['10.0.0.5']); // …private by the time there is something to send
      const control = await addEndpoint(receiver.url('/control'), ['device.paired']);
      await h.pair('Rebinding check');
      await receiver.waitFor('/control');
      await vi.waitFor(async () =>
        expect((await deliveries(rebound))[0]).toMatchObject({
          status: 'pending',
          attempts: expect.any(Number),
          lastAnswer: { status: null, error: 'refused: hooks.example.test resolves to 10.0.0.5, which is a private address.' },
        }),
      );
      expect(attempted).toContain('127.0.0.1'); // the control delivery's connection was seen…
      expect(attempted.filter((ip) => !ip.startsWith('127.') && ip !== '::1')).toEqual([]); // …and no other
      for (const id of [rebound, control]) await h.del(`/api/alert-endpoints/${id}`);
    } finally {
      diagnostics.unsubscribe('net.client.socket', onSocket);
    }
  });

  it("posts Slack's incoming-webhook shape to a Slack endpoint, and a delivery still failing 24 h after its event is marked failed", async () => {
    const slack = await addEndpoint(receiver.url('/slack'), ['integration.broken']);
    await h.del(`/api/alert-endpoints/${slack}`);
    const slackId = await addEndpoint(receiver.url('/slack'), ['integration.broken'], 'slack');
    receiver.behave('/down', { status: 503 });
    const down = await addEndpoint(receiver.url('/down'), ['integration.broken']);
    const app = await h.createApplication('Billing & <Payouts>');
    const key = h.stripe.createKey({ type: 'restricted' });
    keys.push(key);
    await h.put(`/api/applications/${app}/integrations/stripe`, { apiKey: key });
    h.stripe.deleteKey(key);
    expect((await h.post(`/api/applications/${app}/integrations/stripe/validate`)).body.integration.status).toBe('invalid');

    const [message] = await receiver.waitFor('/slack');
    const body = JSON.parse(message.body);
    expect(Object.keys(body)).toEqual(['text', 'blocks']);
    expect(body.text).toMatch(/^Serval: A stored key stopped working: \*Billing &amp; &lt;Payouts&gt;\* `rk_test_…[A-Za-z0-9]{4}` \(test, invalid/);
    expect(body.blocks.map((b: { type: string }) => b.type)).toEqual(['section', 'context']);
    expect(verifySignature(secrets.get(slackId)!, String(message.headers['serval-signature']), message.body, new Date())).toBe(true);

    await receiver.waitFor('/down', 2);
    clockOffsetMs = 25 * 3_600_000; // a day later, and still 503
    await vi.waitFor(async () => expect((await deliveries(down))[0]).toMatchObject({ status: 'failed', nextAttemptAt: null, lastAnswer: { status: 503 } }));
    clockOffsetMs = 0;
    for (const id of [slackId, down]) await h.del(`/api/alert-endpoints/${id}`);
  });

  it('a key due for rotation alerts once, whichever instance looks and however often', async () => {
    const endpoint = await addEndpoint(receiver.url('/rotation'), ['integration.rotation_due']);
    const app = await h.createApplication('Old key');
    const key = h.stripe.createKey({ type: 'restricted' });
    keys.push(key);
    await h.put(`/api/applications/${app}/integrations/stripe`, { apiKey: key });
    // Connected 91 days ago (SERVAL_KEY_MAX_AGE_DAYS is 90); two instances looking at once, and again.
    await h.sql('update stripe_integrations set connected_at = ? where application_id = ?', [new Date(Date.now() - 91 * 86_400_000).toISOString(), app]);
    const written = await Promise.all([h.runtime.alerts.scanRotationDue(), h.runtime.alerts.scanRotationDue()]);
    expect(await h.runtime.alerts.scanRotationDue()).toBe(0);
    expect(written.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(1);
    const [due] = await receiver.waitFor('/rotation');
    expect(JSON.parse(due.body)).toMatchObject({ type: 'integration.rotation_due', application: { id: app, name: 'Old key' }, person: null });
    const rows = await h.sql<{ payload: string }>('select payload from alert_events where type = ?', ['integration.rotation_due']);
    expect(rows.filter((r) => JSON.parse(r.payload).application.id === app)).toHaveLength(1);
    await h.del(`/api/alert-endpoints/${endpoint}`);
  });

  it('a restart loses nothing pending: what one runtime could not deliver, the next delivers', async () => {
    receiver.behave('/later', { status: 503 });
    const endpoint = await addEndpoint(receiver.url('/later'), ['device.paired']);
    await h.pair('Before the restart');
    const [first] = await receiver.waitFor('/later');
    await h.restart();
    receiver.behave('/later', 'ok');
    await vi.waitFor(async () => expect((await deliveries(endpoint))[0]).toMatchObject({ status: 'delivered' }), { timeout: 10_000 });
    expect(receiver.at('/later').every((r) => r.body === first.body)).toBe(true); // the same event, signed afresh each time
    await h.del(`/api/alert-endpoints/${endpoint}`);
  });

  it('master-key rotation re-seals every signing secret, and deliveries stay signed with the same secret; no key in any payload, log or file', async () => {
    const endpoint = await addEndpoint(receiver.url('/rotated'), ['device.paired']);
    const old = h.env.SERVAL_MASTER_KEY ?? readMasterKeyFile(masterKeyFile(h.dataDir))[0].toString('base64');
    const fresh = randomMasterKey();
    const freshId = new Sealer(Buffer.from(fresh, 'base64')).keyId;
    await h.restart({ SERVAL_MASTER_KEY: `${fresh},${old}` });
    expect(await h.runtime.alerts.resealAll()).toBeGreaterThanOrEqual(1);
    expect(await h.runtime.alerts.keyIdsInUse()).toEqual([freshId]);
    await h.runtime.integrations.resealAll();
    await h.restart({ SERVAL_MASTER_KEY: fresh }); // the old key is no longer needed for anything
    await h.pair('After the rotation');
    const [signed] = await receiver.waitFor('/rotated');
    expect(verifySignature(secrets.get(endpoint)!, String(signed.headers['serval-signature']), signed.body, new Date())).toBe(true);

    const sent = receiver.received.map((r) => r.body).join('\n');
    for (const key of keys) expect(sent).not.toContain(key);
    await h.assertNeverExposed(keys);
    // A signing secret is in the answer that created its endpoint, and nowhere else: not in the database's files, not in a log line.
    const files = (await h.exposed()).filter((f) => !f.name.startsWith('log/response'));
    for (const secret of secrets.values()) {
      expect(files.filter((f) => f.bytes.includes(Buffer.from(secret))).map((f) => f.name)).toEqual([]);
      expect(h.logLines.filter((l) => l.includes(secret))).toEqual([]);
    }
  });
});
