/**
 * Master-key rotation and backup: rotation killed at any moment loses nothing, runs
 * while the server serves, works in env mode, and leaves the old key alone unable to open
 * anything; a backup taken under writes restores into a fresh data dir where every key opens.
 */
import { execFile, spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMasterKeys } from '../../server/crypto/master-key.js';
import { Sealer } from '../../server/crypto/sealing.js';
import { associatedData } from '../../server/integrations/sealed-key.js';
import { newId } from '../../server/ids.js';
import { StartupError } from '../../server/runtime.js';
import { startBackend, type BackendProcess } from './backend-process.js';
import { dialect, randomMasterKey, startHarness, type Harness } from './harness.js';

const run = promisify(execFile);
const cli = (script: string, env: Record<string, string>, args: string[] = []) =>
  run(process.execPath, [`dist/server/${script}.mjs`, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' }); // the built CLI

let h: Harness | undefined;
const backends: BackendProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.stop()));
  await h?.close();
  h = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Stores `n` keys straight through the repositories (no Stripe round trips), sealed as the server seals them. */
async function seed(harness: Harness, n: number): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  const sealer = harness.runtime.keyring.current;
  await harness.runtime.repos.transaction(async (tx) => {
    for (let i = 0; i < n; i++) {
      const applicationId = newId('app');
      const apiKey = harness.stripe.createKey({ type: 'restricted' });
      keys.set(applicationId, apiKey);
      await tx.applications.create({ id: applicationId, name: `Seeded ${i}`, createdAt: new Date().toISOString(), environment: null, stripeAccount: null });
      const sealed = sealer.seal(apiKey, associatedData(applicationId));
      await tx.integrations.upsert({
        applicationId,
        keyType: 'restricted',
        mode: 'test',
        maskedKey: 'rk_test_…seed',
        accountId: null,
        accountName: null,
        status: 'connected',
        permissions: '{}',
        source: 'api',
        connectedAt: new Date().toISOString(),
        lastValidatedAt: new Date().toISOString(),
        lastErrorCode: null,
        lastErrorMessage: null,
        fingerprint: sealer.fingerprint(apiKey),
        sealedKey: sealed.sealed,
        keyId: sealed.keyId,
        keyExpiresAt: null,
      });
    }
  });
  return keys;
}

/** Every stored key opens, through a backend started afresh on the data, and is the key that was stored. */
async function expectAllOpen(harness: Harness, keys: Map<string, string>, env: Record<string, string> = {}) {
  await harness.restart(env);
  for (const [applicationId, apiKey] of keys) expect((await harness.runtime.integrations.openKey(applicationId)).apiKey).toBe(apiKey);
}

const keyIds = (file: string) => parseMasterKeys(fs.readFileSync(file, 'utf8'), file).map((k) => new Sealer(k).keyId);

if (dialect === 'sqlite') {
  describe('rotate-master-key with master.key', () => {
    it('killed at any moment loses nothing; finished, the old key alone opens nothing', { timeout: 90_000 }, async () => {
      h = await startHarness();
      const keys = await seed(h, 200);
      const keyFile = path.join(h.dataDir, 'master.key');
      const original = fs.readFileSync(keyFile, 'utf8');
      await h.runtime.close();

      // Kill it: right after it wrote the new master.key; as the first rows are re-sealed; half-way.
      const reader = new Database(path.join(h.dataDir, 'serval.db'), { readonly: true });
      const resealedUnder = () =>
        reader.prepare('select key_id as id, count(*) as n from stripe_integrations group by key_id').all() as Array<{ id: string; n: number }>;
      const keysInUseAfterKills: number[] = [];
      for (const moment of ['written', 'first rows', 'half-way'] as const) {
        const child = spawn(process.execPath, ['dist/server/rotate-master-key.mjs'], { env: { ...process.env, ...h.env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        child.stdout.on('data', (d) => (stdout += d));
        const exited = new Promise((r) => child.on('exit', r));
        while (!stdout.includes('written to') && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
        const newest = keyIds(keyFile)[0];
        const under = () => resealedUnder().find((g) => g.id === newest)?.n ?? 0;
        if (moment === 'first rows') while (under() < 1 && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
        if (moment === 'half-way') while (under() < keys.size / 2 && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
        child.kill('SIGKILL');
        await exited;
        await expectAllOpen(h, keys);
        keysInUseAfterKills.push((await h.runtime.repos.integrations.keyIdsInUse()).length);
        await h.runtime.close();
      }
      reader.close();
      // At least one kill landed mid-way: rows sealed under two master keys at once.
      expect(Math.max(...keysInUseAfterKills)).toBeGreaterThanOrEqual(2);
      const resealedBefore = await cli('rotate-master-key', h.env);
      expect(resealedBefore.stdout).toMatch(/Re-sealed \d+ keys? under master key [0-9a-f]{16}/);
      expect(keyIds(keyFile)).toHaveLength(1);
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      await expectAllOpen(h, keys);
      const rows = await h.sql<{ key_id: string }>('select distinct key_id from stripe_integrations');
      expect(rows).toEqual([{ key_id: keyIds(keyFile)[0] }]);

      // The old key alone no longer opens anything.
      await h.runtime.close();
      const rotated = fs.readFileSync(keyFile, 'utf8');
      fs.writeFileSync(keyFile, original, { mode: 0o600 });
      await expect(h.restart()).rejects.toThrow(StartupError);
      fs.writeFileSync(keyFile, rotated, { mode: 0o600 });
      await h.restart();
    });

    it('runs while the server serves: nothing interrupted, the server follows the new key', { timeout: 60_000 }, async () => {
      h = await startHarness();
      await h.runtime.close(); // the real server process owns the data dir from here
      const backend = await startBackend({ ...h.env });
      backends.push(backend);
      const token = (await backend.fetch('/api/pair', { method: 'POST', body: { code: backend.pairingCode, deviceName: 'Rotation' } })).body.token;
      const apps: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = (await backend.fetch('/api/applications', { method: 'POST', token, body: { name: `App ${i}` } })).body.application.id;
        expect(
          (await backend.fetch(`/api/applications/${id}/integrations/stripe`, { method: 'PUT', token, body: { apiKey: h.stripe.createKey() } })).status,
        ).toBe(200);
        apps.push(id);
      }
      const oldIds = keyIds(path.join(h.dataDir, 'master.key'));

      const statuses: number[] = [];
      let loading = true;
      const load = (async () => {
        for (let i = 0; loading; i++) {
          const app = apps[i % apps.length];
          const res =
            i % 4 === 3
              ? await backend.fetch(`/api/applications/${app}/integrations/stripe`, { method: 'PUT', token, body: { apiKey: h!.stripe.createKey() } })
              : await backend.fetch(`/api/applications/${app}/stripe/charges?limit=1`, { token });
          statuses.push(res.status);
        }
      })();
      const { stdout } = await cli('rotate-master-key', h.env);
      loading = false;
      await load;
      expect(stdout).toMatch(/Re-sealed \d+ keys? under master key/);
      expect(statuses.length).toBeGreaterThan(20);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);

      const newIds = keyIds(path.join(h.dataDir, 'master.key'));
      expect(newIds).toHaveLength(1);
      expect(oldIds).not.toContain(newIds[0]);
      for (const app of apps) expect((await backend.fetch(`/api/applications/${app}/stripe/balance`, { token })).status).toBe(200);
      // A key connected after the rotation is sealed under the new key.
      expect(
        (await backend.fetch(`/api/applications/${apps[0]}/integrations/stripe`, { method: 'PUT', token, body: { apiKey: h.stripe.createKey() } })).status,
      ).toBe(200);
      await backend.stop();
      const rows = await (async () => {
        await h!.restart();
        return h!.sql<{ key_id: string }>('select distinct key_id from stripe_integrations');
      })();
      expect(rows).toEqual([{ key_id: newIds[0] }]);
    });
  });
}

describe(`rotate-master-key with SERVAL_MASTER_KEY="new,old" (${dialect})`, () => {
  it('re-seals under the first key, says what to set next, and then the old key alone is refused', async () => {
    const oldKey = randomMasterKey();
    h = await startHarness({ env: { SERVAL_MASTER_KEY: oldKey } });
    const keys = await seed(h, 20);
    // An alert endpoint's signing secret is sealed under the master key too: re-sealed with the keys, or the new key alone could not start.
    await h.runtime.alerts.create({ url: 'http://127.0.0.1:9/alerts', kind: 'webhook', events: ['device.paired'] }, null);
    const newKey = randomMasterKey();
    const { stdout } = await cli('rotate-master-key', { ...h.env, SERVAL_MASTER_KEY: `${newKey},${oldKey}` });
    expect(stdout).toContain('Re-sealed 20 keys');
    expect(stdout).toMatch(/set SERVAL_MASTER_KEY to the first key only/);
    await expectAllOpen(h, keys, { SERVAL_MASTER_KEY: newKey });
    await expect(h.restart({ SERVAL_MASTER_KEY: oldKey })).rejects.toThrow(/does not match the data/);
    await h.restart({ SERVAL_MASTER_KEY: newKey });
    expect(await h.runtime.alerts.keyIdsInUse()).toEqual([h.runtime.keyring.current.keyId]);
  });
});

describe(`backup (${dialect})`, () => {
  if (dialect === 'postgres') {
    it('points to pg_dump and writes nothing', async () => {
      h = await startHarness();
      const target = path.join(h.dataDir, 'backup.db');
      const failed = await cli('backup', h.env, [target]).catch((e: { code: number; stderr: string }) => e);
      expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('pg_dump') });
      expect(fs.existsSync(target)).toBe(false);
    });
    return;
  }

  it('taken under writes, restores into a fresh data dir where every key opens; never overwrites', { timeout: 60_000 }, async () => {
    h = await startHarness();
    await h.runtime.close();
    const backend = await startBackend({ ...h.env });
    backends.push(backend);
    const token = (await backend.fetch('/api/pair', { method: 'POST', body: { code: backend.pairingCode, deviceName: 'Backup' } })).body.token;
    const acknowledged = new Map<string, string>();
    const write = async (i: number) => {
      const id = (await backend.fetch('/api/applications', { method: 'POST', token, body: { name: `App ${i}` } })).body.application.id;
      const apiKey = h!.stripe.createKey();
      if ((await backend.fetch(`/api/applications/${id}/integrations/stripe`, { method: 'PUT', token, body: { apiKey } })).status === 200)
        acknowledged.set(id, apiKey);
    };
    for (let i = 0; i < 10; i++) await write(i);
    const beforeBackup = new Map(acknowledged);

    const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'serval-backup-')), 'serval-backup.db');
    dirs.push(path.dirname(target));
    let writing = true;
    const writers = (async () => {
      for (let i = 10; writing; i++) await write(i);
    })();
    const { stdout } = await cli('backup', h.env, [target]);
    writing = false;
    await writers;
    expect(stdout).toMatch(/keep the master key .* apart from/);
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(target).includes(Buffer.from([...beforeBackup.values()][0]))).toBe(false); // sealed only

    // Never overwrites.
    const again = await cli('backup', h.env, [target]).catch((e: { code: number; stderr: string }) => e);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining('never overwrites') });

    // Restore: a fresh data dir with the backup as serval.db and the master key put back.
    const restored = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-restored-'));
    dirs.push(restored);
    fs.copyFileSync(target, path.join(restored, 'serval.db'));
    fs.copyFileSync(path.join(h.dataDir, 'master.key'), path.join(restored, 'master.key'));
    await h.restart({ SERVAL_DATA_DIR: restored });
    await h.checkIntegrity();
    for (const [applicationId, apiKey] of beforeBackup) expect((await h.runtime.integrations.openKey(applicationId)).apiKey).toBe(apiKey);
    const inBackup = (await h.runtime.repos.integrations.list()).map((r) => r.applicationId);
    for (const id of inBackup) expect((await h.runtime.integrations.openKey(id)).apiKey).toBe(acknowledged.get(id));
  });
});
