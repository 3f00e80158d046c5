/**
 * Sealed storage, on SQLite and on PostgreSQL: survives restarts, refuses the wrong master key
 * without touching anything, never holds a key in the clear.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { Sealer } from '../../server/crypto/sealing.js';
import { StartupError } from '../../server/runtime.js';
import { dialect, randomMasterKey, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const hashDir = (dir: string) =>
  Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(fs.readFileSync(path.join(dir, f)))
          .digest('hex'),
      ]),
  );

/** Everything stored: the files on SQLite; every row of every table (and the migrations applied) on PostgreSQL. */
async function snapshot(harness: Harness): Promise<unknown> {
  if (harness.dialect === 'sqlite') {
    // The WAL moved into the database file, so the files say everything whether or not the backend is open.
    if (harness.runtime.database.dialect === 'sqlite' && harness.runtime.database.sqlite.open) await harness.sql('pragma wal_checkpoint(TRUNCATE)');
    return Object.fromEntries(Object.entries(hashDir(harness.dataDir)).filter(([f]) => !/-(wal|shm)$/.test(f)));
  }
  const tables = await harness.sql<{ name: string }>(
    "select table_schema || '.' || table_name as name from information_schema.tables where table_schema in ('public', 'drizzle') order by 1",
  );
  const rows: Record<string, unknown> = {};
  for (const { name } of tables) rows[name] = await harness.sql(`select * from ${name} order by 1`);
  return rows;
}

describe('sealing', () => {
  const sealer = new Sealer(randomBytes(32));

  it('round-trips, with a fresh nonce every time', () => {
    const a = sealer.seal('rk_test_secret', 'stripe-integration:app_1');
    const b = sealer.seal('rk_test_secret', 'stripe-integration:app_1');
    expect(a.sealed).not.toBe(b.sealed);
    expect(Buffer.from(a.sealed, 'base64').subarray(0, 12)).not.toEqual(Buffer.from(b.sealed, 'base64').subarray(0, 12));
    expect(sealer.open(a, 'stripe-integration:app_1')).toBe('rk_test_secret');
  });

  it('a sealed key moved to another row, tampered with, or opened under another master key does not open', () => {
    const sealed = sealer.seal('rk_test_secret', 'stripe-integration:app_1');
    expect(() => sealer.open(sealed, 'stripe-integration:app_2')).toThrow(/authentication/);
    const bytes = Buffer.from(sealed.sealed, 'base64');
    bytes[14] ^= 1;
    expect(() => sealer.open({ ...sealed, sealed: bytes.toString('base64') }, 'stripe-integration:app_1')).toThrow();
    expect(() => new Sealer(randomBytes(32)).open(sealed, 'stripe-integration:app_1')).toThrow(/master key/);
  });

  it('fingerprints are stable for one master key and differ across master keys', () => {
    expect(sealer.fingerprint('k')).toBe(sealer.fingerprint('k'));
    expect(sealer.fingerprint('k')).not.toBe(sealer.fingerprint('l'));
    expect(new Sealer(randomBytes(32)).fingerprint('k')).not.toBe(sealer.fingerprint('k'));
  });
});

describe(`stored keys (${dialect})`, () => {
  it('after a restart on the same data, the stored key still decrypts and works', async () => {
    h = await startHarness();
    const token = await h.pair();
    const appId = await h.createApplication();
    const key = h.stripe.createKey({ type: 'restricted' });
    await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: key });
    await h.restart();
    const res = await h.post(`/api/applications/${appId}/integrations/stripe/validate`, undefined, { token });
    expect(res.status).toBe(200);
    expect(res.body.integration.status).toBe('connected');
    expect((await h.runtime.integrations.openKey(appId)).apiKey).toBe(key);
    await h.assertNeverExposed([key]);
  });

  it('a master key that does not match the stored data stops start-up with a clear message and touches nothing', async () => {
    h = await startHarness({ env: { SERVAL_MASTER_KEY: randomMasterKey() } });
    await h.pair();
    const appId = await h.createApplication();
    await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: h.stripe.createKey() });
    const before = await snapshot(h);
    const wrong = randomMasterKey();
    await expect(h.restart({ SERVAL_MASTER_KEY: wrong })).rejects.toThrow(StartupError);
    await expect(h.restart({ SERVAL_MASTER_KEY: wrong })).rejects.toThrow(/does not match the data.*Nothing was changed/);
    expect(await snapshot(h)).toEqual(before);
    await h.restart(); // the right key still opens it
    expect((await h.get(`/api/applications/${appId}`)).body.application.stripe.status).toBe('connected');
  });
});

if (dialect === 'sqlite') {
  describe('the data dir (SQLite)', () => {
    const modes = (dir: string) => ({
      dir: fs.statSync(dir).mode & 0o777,
      ...Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mode & 0o777])),
    });

    it('is private: the dir 0700, master.key and every database file 0600; WAL, foreign keys, synchronous=FULL', async () => {
      h = await startHarness();
      await h.pair();
      expect(Buffer.from(fs.readFileSync(path.join(h.dataDir, 'master.key'), 'utf8').trim(), 'base64')).toHaveLength(32);
      expect(modes(h.dataDir)).toEqual({ dir: 0o700, 'master.key': 0o600, 'serval.db': 0o600, 'serval.db-wal': 0o600, 'serval.db-shm': 0o600 });
      expect((await h.sql('pragma journal_mode'))[0]).toEqual({ journal_mode: 'wal' });
      expect((await h.sql('pragma foreign_keys'))[0]).toEqual({ foreign_keys: 1 });
      // An acknowledged key survives power loss: the WAL is synced at every commit.
      expect((await h.sql('pragma synchronous'))[0]).toEqual({ synchronous: 2 });
    });

    it('a data dir left open by an older version is made private at start', async () => {
      h = await startHarness();
      await h.pair();
      await h.runtime.close();
      fs.chmodSync(h.dataDir, 0o755);
      for (const f of ['serval.db', 'serval.db-wal', 'serval.db-shm']) if (fs.existsSync(path.join(h.dataDir, f))) fs.chmodSync(path.join(h.dataDir, f), 0o644);
      await h.restart();
      expect(modes(h.dataDir)).toMatchObject({ dir: 0o700, 'serval.db': 0o600, 'serval.db-wal': 0o600 });
    });

    it('a master.key that others can read is refused, naming the file and the fix', async () => {
      h = await startHarness();
      const keyFile = path.join(h.dataDir, 'master.key');
      fs.chmodSync(keyFile, 0o644);
      await expect(h.restart()).rejects.toThrow(new RegExp(`${keyFile}.*mode 0644.*chmod 600 ${keyFile}`));
      fs.chmodSync(keyFile, 0o600);
      await h.restart();
    });

    it('the same with SERVAL_MASTER_KEY instead of master.key', async () => {
      const masterKey = randomMasterKey();
      h = await startHarness({ env: { SERVAL_MASTER_KEY: masterKey } });
      expect(fs.existsSync(path.join(h.dataDir, 'master.key'))).toBe(false);
      await h.pair();
      const appId = await h.createApplication();
      const key = h.stripe.createKey();
      await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: key });
      await h.restart();
      expect((await h.runtime.integrations.openKey(appId)).apiKey).toBe(key);
    });

    it('a missing master.key is refused rather than replaced by a new one', async () => {
      h = await startHarness();
      await h.pair();
      fs.renameSync(path.join(h.dataDir, 'master.key'), path.join(h.dataDir, 'master.key.bak'));
      await expect(h.restart()).rejects.toThrow(/master.key is missing/);
      expect(fs.existsSync(path.join(h.dataDir, 'master.key'))).toBe(false);
      fs.renameSync(path.join(h.dataDir, 'master.key.bak'), path.join(h.dataDir, 'master.key'));
      await h.restart();
    });
  });
} else {
  describe('the database (PostgreSQL)', () => {
    it('DATABASE_URL without SERVAL_MASTER_KEY is refused, naming the variable', () => {
      expect(() => loadConfig({ DATABASE_URL: 'postgres://serval@127.0.0.1:5432/serval' })).toThrow(/SERVAL_MASTER_KEY: required with DATABASE_URL/);
      expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres/);
    });

    it('stores keys sealed, never in the clear: the sealed column is AES-GCM under the master key', async () => {
      h = await startHarness();
      await h.pair();
      const appId = await h.createApplication();
      const key = h.stripe.createKey({ type: 'restricted' });
      await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: key });
      const [row] = await h.sql<{ sealed_key: string; key_id: string; masked_key: string }>(
        'select sealed_key, key_id, masked_key from stripe_integrations where application_id = ?',
        [appId],
      );
      expect(row.masked_key).toBe(`rk_test_…${key.slice(-4)}`);
      const sealer = new Sealer(Buffer.from(h.env.SERVAL_MASTER_KEY!, 'base64'));
      expect(row.key_id).toBe(sealer.keyId);
      expect(sealer.open({ keyId: row.key_id, sealed: row.sealed_key }, `stripe-integration:${appId}`)).toBe(key);
    });
  });
}
