/**
 * After the product's flows — connect, replace, refuse, re-check, workflows, remove — no full key
 * is in the database files (with -wal/-shm), the logs, or any API response.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
const keys: string[] = [];
const newKey = (opts: Parameters<Harness['stripe']['createKey']>[0] = {}) => {
  const k = h.stripe.createKey({ type: 'restricted', ...opts });
  keys.push(k);
  return k;
};

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'trace' } });
  await h.pair();
});
afterAll(async () => {
  await h.close();
});

it('runs every flow that handles a key', async () => {
  const a = await h.createApplication('A');
  const b = await h.createApplication('B');
  const restricted = newKey();
  const secret = newKey({ type: 'secret', mode: 'live' });
  const partial = newKey({ permissions: ['charges_read'] });
  const deleted = newKey();
  h.stripe.deleteKey(deleted);
  const expired = newKey();
  h.stripe.expireKey(expired);

  expect((await h.put(`/api/applications/${a}/integrations/stripe`, { apiKey: restricted, source: 'extension' })).status).toBe(200);
  expect((await h.put(`/api/applications/${b}/integrations/stripe`, { apiKey: ` ${restricted}\n` })).status).toBe(200); // reused
  expect((await h.put(`/api/applications/${a}/integrations/stripe`, { apiKey: secret })).status).toBe(200); // replaced
  expect((await h.put(`/api/applications/${b}/integrations/stripe`, { apiKey: partial })).status).toBe(200);
  expect((await h.put(`/api/applications/${a}/integrations/stripe`, { apiKey: deleted })).status).toBe(422);
  expect((await h.put(`/api/applications/${a}/integrations/stripe`, { apiKey: expired })).status).toBe(422);
  expect((await h.post('/api/stripe/validate', { apiKey: newKey() })).status).toBe(200);
  const spaced = newKey();
  expect((await h.put(`/api/applications/${a}/integrations/stripe`, { apiKey: `${spaced.slice(0, 30)} ${spaced.slice(30)}` })).status).toBe(422);
  h.stripe.injectFault({ kind: 'status500' });
  expect((await h.put(`/api/applications/${a}/integrations/stripe`, { apiKey: newKey() })).status).toBe(502);
  h.stripe.clearFaults();

  expect((await h.get(`/api/applications/${a}/stripe/customers`)).status).toBe(200);
  expect((await h.get(`/api/applications/${b}/stripe/balance`)).status).toBe(403); // partial key lacks Balance: Read
  h.stripe.deleteKey(secret);
  expect((await h.get(`/api/applications/${a}/stripe/charges`)).status).toBe(409);
  expect((await h.post(`/api/applications/${a}/integrations/stripe/validate`)).status).toBe(200);
  await h.runtime.integrations.recheckAll();

  expect((await h.get('/api/applications')).status).toBe(200);
  expect((await h.get('/api/audit?limit=500')).status).toBe(200);
  expect((await h.del(`/api/applications/${b}/integrations/stripe`)).status).toBe(204);
  expect((await h.del(`/api/applications/${a}`)).status).toBe(204);

  // Stripe's own 401 message for a key it doesn't know reaches our logs through the SDK: check it's scrubbed.
  expect(h.logLines.length).toBeGreaterThan(20);
  await h.assertNeverExposed(keys);
  // …and the scan reads where the integrations really are: their masked keys are in the database's files.
  const files = (await h.exposed()).filter((f) => !f.name.startsWith('log/response'));
  const masked = (await h.get('/api/audit?limit=500')).body.events.map((e: any) => e.detail.maskedKey).filter(Boolean) as string[];
  expect(masked.length).toBeGreaterThan(3);
  for (const m of new Set(masked))
    expect(
      files.some((f) => f.bytes.includes(Buffer.from(m))),
      `${m} in the database files`,
    ).toBe(true);
  for (const k of keys) expect(h.stripe.requests.some((r) => r.headers.authorization === `Bearer ${k}`) || k === spaced).toBe(true);
});

it('a key that lands in a URL is scrubbed from the request log line', async () => {
  const k = newKey();
  const before = h.logLines.length;
  await h.get(`/api/applications/${k}`);
  const added = h.logLines.slice(before).join('\n');
  expect(added).toContain(`rk_test_…${k.slice(-4)}`);
  expect(added).not.toContain(k);
});

it('a key after an escape or a %-encoding in a path, a body or a logged value is scrubbed too', async () => {
  const k = newKey();
  const before = h.logLines.length;
  for (const sep of ['%0A', '%2F', '%3D', '%20', '%09', '%01']) await h.get(`/api/applications/a${sep}${k}`);
  for (const sep of ['\n', '\t', '\u0001', ' ']) expect((await h.post('/api/stripe/validate', { apiKey: `x${sep}${k}` })).status).toBe(422);
  // The logger itself, given values that hold a key right after a control character or an escape.
  const { createMemoryLogger } = await import('../../server/logger.js');
  const memory = createMemoryLogger();
  for (const sep of ['\n', '\t', '\u0001', '%0A', '=']) memory.logger.info({ value: `a${sep}${k}`, nested: { list: [`${sep}${k}`] } }, `message a${sep}${k}`);
  memory.logger.flush();
  const added = [...h.logLines.slice(before), ...memory.lines].join('\n');
  expect(added.length).toBeGreaterThan(500);
  expect(added).not.toContain(k.slice(8));
  expect(added).toContain(`rk_test_…${k.slice(-4)}`);
});

it('a key whose prefix is %-encoded once or twice in a path is scrubbed from the request log line', async () => {
  const k = newKey({ type: 'secret', mode: 'live' });
  const body = k.slice('sk_live_'.length);
  const before = h.logLines.length;
  for (const path of [
    `/api/stripe/validate/sk%255Flive%255F${body}`, // the reported line: %5F encoded again
    `/api/stripe/validate/sk%5Flive%5F${body}`,
    `/api/applications/sk%255flive%255f${body.slice(0, 10)}%2541${body.slice(10)}`, // lower-case hex, a body letter encoded too
  ]) {
    const res = await h.get(path);
    expect(res.body.error.code, path).toBeDefined(); // an error in the documented shape, whatever it is
  }
  const added = h.logLines.slice(before).join('\n');
  expect(added).toContain('"path":"/api/stripe/validate/sk_live_…');
  expect(added).not.toContain(body.slice(0, 20));
  expect(added).not.toContain(body.slice(-20));
  expect((await h.get('/api/health', { token: null })).status).toBe(200); // still up
});
