/** Pairing and devices: codes expire, are single use, forgive case and hyphens; guessing is slowed; revoking is immediate. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Sealer } from '../../server/crypto/sealing.js';
import { normalizePairingCode } from '../../server/pairing/codes.js';
import { CLIENT_BRAKE, MAX_CODE_FAILURES } from '../../server/pairing/service.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let clock: Date;

beforeEach(async () => {
  clock = new Date('2026-11-26T10:00:00Z');
  h = await startHarness({ now: () => clock });
});
afterEach(async () => {
  await h.close();
});

const pair = (code: string, deviceName = 'Chrome on laptop') => h.post('/api/pair', { code, deviceName }, { token: null });

describe('pairing codes', () => {
  it('look like ABCD-EFGH and pair a device, returning an svl_ token the server stores only as a hash', async () => {
    const { code } = await h.runtime.pairing.issueCode();
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const res = await pair(code);
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^svl_[A-Za-z0-9_-]{40,}$/);
    expect(res.body.device).toMatchObject({ id: expect.stringMatching(/^dev_/), name: 'Chrome on laptop' });
    const row = (await h.runtime.repos.devices.listActive(null))[0];
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await h.exposedText()).split(res.body.token).length - 1).toBe(1); // only in the response that handed it out
  });

  it('accept any case, with or without the hyphen, with spaces around', async () => {
    for (const variant of [(c: string) => c.toLowerCase(), (c: string) => c.replace('-', ''), (c: string) => ` ${c.toLowerCase().replace('-', '')} `]) {
      const { code } = await h.runtime.pairing.issueCode();
      expect((await pair(variant(code))).status).toBe(201);
    }
    expect(normalizePairingCode('abcd-efgh')).toBe('ABCDEFGH');
    expect(normalizePairingCode('ABCD-EFG')).toBeNull();
    expect(normalizePairingCode('ABCD-EFG0')).toBeNull(); // 0 is not in the alphabet
  });

  it('are single use', async () => {
    const { code } = await h.runtime.pairing.issueCode();
    expect((await pair(code)).status).toBe(201);
    const again = await pair(code);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('pairing_code_invalid');
    expect(again.body.error.hint).toContain('npm run pair');
  });

  it('expire after 10 minutes', async () => {
    const { code } = await h.runtime.pairing.issueCode();
    const { code: other } = await h.runtime.pairing.issueCode();
    clock = new Date(clock.getTime() + 9 * 60_000 + 59_000);
    expect((await pair(code)).status).toBe(201);
    clock = new Date(clock.getTime() + 2_000);
    expect((await pair(other)).body.error.code).toBe('pairing_code_invalid');
  });

  it('wrong codes retire the live codes after ten, without locking anyone out: a fresh code works at once', async () => {
    const { code } = await h.runtime.pairing.issueCode();
    const { code: survivor } = await h.runtime.pairing.issueCode();
    for (let i = 0; i < MAX_CODE_FAILURES - 1; i++) expect((await pair('WRNG-CODE')).body.error.code).toBe('pairing_code_invalid');
    expect((await pair(code)).status).toBe(201); // nine wrong tries: still good
    expect((await pair('WRNG-CODE')).status).toBe(401); // the tenth retires the codes still live
    const retired = await pair(survivor);
    expect(retired.status).toBe(401);
    expect(retired.body.error).toMatchObject({
      code: 'pairing_code_invalid',
      message: expect.stringMatching(/retired/),
      hint: expect.stringContaining('npm run pair'),
    });
    const { code: fresh } = await h.runtime.pairing.issueCode();
    expect((await pair(fresh)).status).toBe(201); // no waiting
  });

  it('a flood of wrong codes from one client is braked with 429 and Retry-After, even for a right code', async () => {
    for (let i = 0; i < CLIENT_BRAKE.maxFailures; i++) expect((await pair('WRNG-CODE')).status).toBe(401);
    const { code } = await h.runtime.pairing.issueCode();
    const limited = await pair(code);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('pairing_rate_limited');
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    clock = new Date(clock.getTime() + 61_000);
    const { code: later } = await h.runtime.pairing.issueCode();
    expect((await pair(later)).status).toBe(201);
  });

  it('are stored only as an HMAC under a key derived from the master key: the database alone cannot find them', async () => {
    const { code } = await h.runtime.pairing.issueCode();
    const normalized = normalizePairingCode(code)!;
    const [row] = await h.sql<{ code_hash: string }>('select code_hash from pairing_codes where used_at is null');
    const masterKey = h.env.SERVAL_MASTER_KEY ?? fs.readFileSync(path.join(h.dataDir, 'master.key'), 'utf8').trim();
    expect(row.code_hash).toBe(new Sealer(Buffer.from(masterKey, 'base64')).pairingCodeDigest(normalized));
    const unkeyed = [`pairing:${normalized}`, normalized, code].map((t) => createHash('sha256').update(t).digest('hex'));
    expect(unkeyed).not.toContain(row.code_hash);
    expect(new Sealer(randomBytes(32)).pairingCodeDigest(normalized)).not.toBe(row.code_hash);
  });

  it('npm run pair issues codes the running server accepts (same database)', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(process.execPath, ['dist/server/pair.mjs'], {
      env: { ...process.env, SERVAL_MASTER_KEY: '', ...h.env }, // the same data dir or database (and master key)
      encoding: 'utf8',
    });
    const code = /Pairing code: ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(out)?.[1];
    expect(code).toBeTruthy();
    expect(out).toContain('for Owner, admin');
    clock = new Date(); // the CLI used the real clock
    expect((await pair(code!)).status).toBe(201);
  });

  it('npm run pair -- --email E pairs as that person; an unknown or disabled address is a clear error and exit status 1', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['dist/server/pair.mjs', ...args], { env: { ...process.env, SERVAL_MASTER_KEY: '', ...h.env }, encoding: 'utf8' });
    await h.pair();
    const { person } = await h.personWithDevice('member', { name: 'Nia', email: 'nia@example.com' });

    const ok = run('--email', 'NIA@example.com');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('for Nia, member');
    const code = /Pairing code: ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(ok.stdout)![1];
    clock = new Date();
    const paired = await pair(code, 'Nia laptop');
    expect(paired.status).toBe(201);
    expect((await h.get('/api/me', { token: paired.body.token })).body.person.id).toBe(person.id);

    const unknown = run('--email', 'nobody@example.com');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No person has the e-mail address "nobody@example.com"');
    expect(unknown.stdout).toBe('');
    expect((await h.patch(`/api/people/${person.id}`, { disabled: true })).status).toBe(200);
    const disabled = run('--email', 'nia@example.com');
    expect(disabled.status).toBe(1);
    expect(disabled.stderr).toContain('Nia (nia@example.com) is disabled');
    const usage = run('--mail', 'x');
    expect(usage.status).toBe(1);
    expect(usage.stderr).toContain('Usage: npm run pair');
  });
});

describe('devices', () => {
  it('are listed, and a revoked token stops working at once', async () => {
    const first = await h.pair('Laptop');
    const second = await h.pair('Desktop');
    const list = await h.get('/api/devices', { token: first });
    expect(list.body.devices.map((d: any) => d.name).sort()).toEqual(['Desktop', 'Laptop']);
    const desktopId = list.body.devices.find((d: any) => d.name === 'Desktop').id;
    expect((await h.get('/api/status', { token: second })).status).toBe(200);
    expect((await h.del(`/api/devices/${desktopId}`, { token: first })).status).toBe(204);
    const after = await h.get('/api/status', { token: second });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
    expect((await h.get('/api/devices', { token: first })).body.devices).toHaveLength(1);
    expect((await h.del(`/api/devices/${desktopId}`, { token: first })).status).toBe(404);
    const audit = (await h.get('/api/audit', { token: first })).body.events.map((e: any) => e.action);
    expect(audit).toEqual(['device.revoked', 'device.paired', 'device.paired', 'person.created']);
  });

  it('/api/status says who the device is and how the integrations are', async () => {
    await h.pair('Work Chrome');
    const id = await h.createApplication('Billing');
    await h.createApplication('Payouts');
    await h.put(`/api/applications/${id}/integrations/stripe`, { apiKey: h.stripe.createKey({ type: 'restricted', permissions: ['charges_read'] }) });
    const res = await h.get('/api/status');
    expect(res.body).toMatchObject({
      device: { name: 'Work Chrome' },
      person: { name: 'Owner', role: 'admin' },
      applications: 2,
      integrations: { connected: 0, needsAttention: 1 },
    });
  });
});

describe('authentication on every protected route', () => {
  it('every route the OpenAPI document marks as secured refuses a missing, wrong or revoked token', async () => {
    const revoked = await h.pair('Old');
    const current = await h.pair('Current');
    const oldId = (await h.get('/api/devices', { token: current })).body.devices.find((d: any) => d.name === 'Old').id;
    await h.del(`/api/devices/${oldId}`, { token: current });

    const doc = (await h.get('/api/openapi.json', { token: null })).body;
    const secured: Array<[string, string]> = [];
    for (const [path, methods] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) if (op.security?.length) secured.push([method.toUpperCase(), path]);
    }
    expect(secured.length).toBeGreaterThanOrEqual(20);
    for (const [method, path] of secured) {
      const url = doc.servers[0].url + path.replace('{id}', 'app_x').replace('{customerId}', 'cus_x');
      for (const token of [null, 'svl_not-a-real-token', 'Basic abc', revoked]) {
        const res = await h.request(method, url, { token, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
        expect(res.status, `${method} ${url} with ${token}`).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
    // and the public ones stay public
    expect((await h.get('/api/health', { token: null })).body).toMatchObject({ status: 'ok', version: expect.any(String) });
  });
});
