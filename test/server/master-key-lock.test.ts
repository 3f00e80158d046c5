/**
 * One master-key rotation at a time: a second run started while the first holds the lock (a file
 * beside master.key on SQLite, an advisory lock on PostgreSQL) says that one is running, exits 1
 * and changes nothing; the first finishes, and the running server still opens every stored key.
 * The lock file's rules as units: a lock whose process is gone is taken over, a live one refused,
 * and only its holder removes it.
 */
import { execFile, spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { RotationRunningError, rotationLockFile, takeRotationLockFile } from '../../server/cli/rotation-lock.js';
import { parseMasterKeys } from '../../server/crypto/master-key.js';
import { Sealer } from '../../server/crypto/sealing.js';
import { adminQuery } from '../postgres/databases.js';
import { startBackend, type BackendProcess } from './backend-process.js';
import { dialect, randomMasterKey, startHarness, type Harness } from './harness.js';

const run = promisify(execFile);
const ROTATE = 'dist/server/rotate-master-key.mjs'; // the built CLI, as `npm run rotate-master-key` runs it

let h: Harness | undefined;
let backend: BackendProcess | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await backend?.stop();
  backend = undefined;
  await h?.close();
  h = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * A rotation that pauses once it holds the lock and has begun (SERVAL_TEST_PAUSE_ROTATION, a hook
 * for tests only) and goes on when its stdin closes. Resolves once it says it has paused.
 */
async function pausedRotation(env: Record<string, string>) {
  const child = spawn(process.execPath, [ROTATE], { env: { ...process.env, ...env, SERVAL_TEST_PAUSE_ROTATION: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('Paused')) resolve();
    });
    void exited.then((code) => reject(new Error(`the first rotation exited (${code}) before pausing: ${stdout} ${stderr}`)));
  });
  return {
    async finish() {
      child.stdin.end();
      return { code: await exited, stdout, stderr };
    },
  };
}

describe(`two rotations at once (${dialect})`, () => {
  it('the second says one is running, exits 1 and changes nothing; the first finishes; the running server re-checks every key', {
    timeout: 60_000,
  }, async () => {
    h = await startHarness();
    await h.pair();
    const apps: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await h.createApplication(`App ${i}`);
      expect((await h.put(`/api/applications/${id}/integrations/stripe`, { apiKey: h.stripe.createKey() })).status).toBe(200);
      apps.push(id);
    }
    await h.runtime.close(); // the real server process owns the data from here
    // PostgreSQL takes SERVAL_MASTER_KEY ("new,old" on every instance, then the rotation); SQLite here, master.key.
    const env = dialect === 'postgres' ? { ...h.env, SERVAL_MASTER_KEY: `${randomMasterKey()},${h.env.SERVAL_MASTER_KEY}` } : { ...h.env };
    backend = await startBackend(env);
    const token = (await backend.fetch('/api/pair', { method: 'POST', body: { code: backend.pairingCode, deviceName: 'Rotation' } })).body.token;

    const keyFile = path.join(h.dataDir, 'master.key');
    const snapshot = async () => ({
      masterKey: dialect === 'sqlite' ? fs.readFileSync(keyFile, 'utf8') : null,
      rows: await sealedRows(h!, env),
    });

    const first = await pausedRotation(env); // holds the lock; on SQLite it has written its new key first
    const before = await snapshot();
    const second = await run(process.execPath, [ROTATE], { env: { ...process.env, ...env }, encoding: 'utf8' }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(second).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^A master-key rotation is already running .*Nothing was changed/) });
    expect(await snapshot()).toEqual(before);

    const done = await first.finish();
    expect(done).toMatchObject({ code: 0, stdout: expect.stringContaining('Re-sealed 3 keys under master key') });
    const current = dialect === 'sqlite' ? new Sealer(parseMasterKeys(fs.readFileSync(keyFile, 'utf8'), keyFile)[0]).keyId : null;
    const after = await sealedRows(h, env);
    expect(new Set(after.map((r) => r.key_id)).size).toBe(1);
    if (current) expect(after[0].key_id).toBe(current);
    if (dialect === 'sqlite') expect(fs.existsSync(rotationLockFile(h.dataDir))).toBe(false);

    // The server that ran throughout opens every key: Stripe re-checks each one.
    for (const app of apps) {
      const recheck = await backend.fetch(`/api/applications/${app}/integrations/stripe/validate`, { method: 'POST', token });
      expect(recheck).toMatchObject({ status: 200, body: { validation: { valid: true } } });
    }
  });
});

/** Each stored key's row, sealed, as the database holds it. */
async function sealedRows(harness: Harness, env: Record<string, string>) {
  const query = 'select application_id, key_id, sealed_key from stripe_integrations order by application_id';
  if (dialect === 'postgres') return adminQuery<{ application_id: string; key_id: string; sealed_key: string }>(env.DATABASE_URL, query, []);
  const db = new Database(path.join(harness.dataDir, 'serval.db'), { readonly: true });
  try {
    return db.prepare(query).all() as Array<{ application_id: string; key_id: string; sealed_key: string }>;
  } finally {
    db.close();
  }
}

describe('the rotation lock file', () => {
  const lockIn = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-lock-'));
    dirs.push(dir);
    return rotationLockFile(dir);
  };

  it('one holder at a time; released, it is free again; the file is 0600 beside master.key', () => {
    const file = lockIn();
    expect(path.basename(file)).toBe('master.key.lock');
    const release = takeRotationLockFile(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(() => takeRotationLockFile(file)).toThrow(new RegExp(`already running \\(pid ${process.pid} on `));
    release();
    expect(fs.existsSync(file)).toBe(false);
    takeRotationLockFile(file)();
    expect(fs.readdirSync(path.dirname(file))).toEqual([]); // nothing left aside
  });

  it("a lock whose process is gone is taken over; another host's, or one it can't read, is refused and left alone", async () => {
    const file = lockIn();
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('exit', resolve));
    fs.writeFileSync(file, JSON.stringify({ pid: gone.pid, host: os.hostname(), since: 'earlier', token: 'stale' }), { mode: 0o600 });
    const release = takeRotationLockFile(file);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    release();

    for (const text of [JSON.stringify({ pid: gone.pid, host: 'elsewhere.example', since: 'earlier', token: 't' }), 'not a lock']) {
      fs.writeFileSync(file, text, { mode: 0o600 });
      expect(() => takeRotationLockFile(file)).toThrow(RotationRunningError);
      expect(() => takeRotationLockFile(file)).toThrow(/remove .*master\.key\.lock and run this again/);
      expect(fs.readFileSync(file, 'utf8')).toBe(text);
    }
  });

  it('a holder releasing after its lock was taken over leaves the new holder’s lock alone', () => {
    const file = lockIn();
    const release = takeRotationLockFile(file);
    fs.writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname(), since: 'now', token: 'someone else' }), { mode: 0o600 });
    release();
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ token: 'someone else' });
  });
});
