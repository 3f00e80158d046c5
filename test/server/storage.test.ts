/** Sealed storage: survives restarts, refuses the wrong master key without touching anything, never holds a key in the clear. */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Sealer } from '../../server/crypto/sealing.js';
import { StartupError } from '../../server/runtime.js';
import { randomMasterKey, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const hashDir = (dir: string) =>
  Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')]));

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

describe('the data dir', () => {
  it('gets a generated master.key with mode 0600 on first start', async () => {
    h = await startHarness();
    const stat = fs.statSync(path.join(h.dataDir, 'master.key'));
    expect(stat.mode & 0o777).toBe(0o600);
    expect(Buffer.from(fs.readFileSync(path.join(h.dataDir, 'master.key'), 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(h.runtime.database.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(h.runtime.database.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('after a restart on the same data dir, the stored key still decrypts and works', async () => {
    h = await startHarness();
    const token = await h.pair();
    const appId = await h.createApplication();
    const key = h.stripe.createKey({ type: 'restricted' });
    await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: key });
    h.restart();
    const res = await h.post(`/api/applications/${appId}/integrations/stripe/validate`, undefined, { token });
    expect(res.status).toBe(200);
    expect(res.body.integration.status).toBe('connected');
    expect(h.runtime.integrations.openKey(appId).apiKey).toBe(key);
    h.assertNeverExposed([key]);
  });

  it('the same with SERVAL_MASTER_KEY instead of master.key', async () => {
    const masterKey = randomMasterKey();
    h = await startHarness({ env: { SERVAL_MASTER_KEY: masterKey } });
    expect(fs.existsSync(path.join(h.dataDir, 'master.key'))).toBe(false);
    await h.pair();
    const appId = await h.createApplication();
    const key = h.stripe.createKey();
    await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: key });
    h.restart();
    expect(h.runtime.integrations.openKey(appId).apiKey).toBe(key);
  });

  it('a master key that does not match the stored data stops start-up with a clear message and touches nothing', async () => {
    h = await startHarness({ env: { SERVAL_MASTER_KEY: randomMasterKey() } });
    await h.pair();
    const appId = await h.createApplication();
    await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: h.stripe.createKey() });
    h.runtime.close();
    const before = hashDir(h.dataDir);
    const wrong = randomMasterKey();
    expect(() => h!.restart({ SERVAL_MASTER_KEY: wrong })).toThrow(StartupError);
    expect(() => h!.restart({ SERVAL_MASTER_KEY: wrong })).toThrow(/does not match the data.*Nothing was changed/);
    expect(hashDir(h.dataDir)).toEqual(before);
  });

  it('a missing master.key is refused rather than replaced by a new one', async () => {
    h = await startHarness();
    await h.pair();
    h.runtime.close();
    fs.renameSync(path.join(h.dataDir, 'master.key'), path.join(h.dataDir, 'master.key.bak'));
    expect(() => h!.restart()).toThrow(/master.key is missing/);
    expect(fs.existsSync(path.join(h.dataDir, 'master.key'))).toBe(false);
    fs.renameSync(path.join(h.dataDir, 'master.key.bak'), path.join(h.dataDir, 'master.key'));
    h.restart();
  });
});
