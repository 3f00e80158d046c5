/**
 * How the SQLite implementation keeps the per-request reads (the device behind a token, the status
 * summary) current without a statement each time (server/db/sqlite/commit-watch.ts): the watched
 * header changes with every commit — our own, another connection's, another process's — and never
 * with reads; and the repositories built on it answer what the database holds after each of them.
 * (On PostgreSQL every request reads; repositories.test.ts holds both to the same answers.)
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchCommits, type CommitWatch } from '../../server/db/sqlite/commit-watch.js';
import type { SqliteDatabase } from '../../server/db/sqlite/database.js';
import { hashDeviceToken } from '../../server/pairing/codes.js';
import { startHarness, type Harness } from './harness.js';

/** A statement run by another process on the file, as `npm run pair` or a second server would. */
function inAnotherProcess(file: string, statement: string): void {
  const script = `const Database = require('better-sqlite3'); const db = new Database(${JSON.stringify(file)}); db.pragma('busy_timeout = 5000'); db.exec(${JSON.stringify(statement)}); db.close();`;
  execFileSync(process.execPath, ['-e', script], { cwd: process.cwd() });
}

/** Lets the current stretch of JavaScript (and the look kept in it) end, as between two requests. */
const nextStretch = () => new Promise((resolve) => setImmediate(resolve));

describe('the commit watch', () => {
  let dir: string;
  let file: string;
  let own: Database.Database;
  let other: Database.Database;
  let watch: CommitWatch;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-commit-watch-'));
    file = path.join(dir, 'serval.db');
    own = new Database(file);
    own.pragma('journal_mode = WAL');
    own.exec('create table t (n integer)');
    other = new Database(file);
    watch = watchCommits(file)!;
  });
  afterEach(() => {
    watch?.close();
    own.close();
    other.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stays the same while only reads happen, on any connection', async () => {
    const before = watch.version();
    for (let i = 0; i < 20; i++) {
      own.prepare('select count(*) from t').get();
      other.prepare('select * from t').all();
      await nextStretch();
    }
    expect(watch.version()).toBe(before);
  });

  it('changes with every commit: our own, another connection’s, another process’s, a checkpoint’s restart of the log', async () => {
    let last = watch.version();
    const changed = async (): Promise<boolean> => {
      await nextStretch();
      const now = watch.version();
      const moved = now !== last;
      last = now;
      return moved;
    };
    own.exec('insert into t values (1)');
    expect(await changed()).toBe(true);
    other.exec('insert into t values (2)');
    expect(await changed()).toBe(true);
    other.exec('begin; insert into t values (3); insert into t values (4); commit');
    expect(await changed()).toBe(true);
    inAnotherProcess(file, 'insert into t values (5)');
    expect(await changed()).toBe(true);
    own.pragma('wal_checkpoint(TRUNCATE)');
    await changed();
    own.exec('insert into t values (6)'); // the first commit into an emptied log
    expect(await changed()).toBe(true);
    other.exec('update t set n = n + 1');
    expect(await changed()).toBe(true);
    expect(await changed()).toBe(false);
  });

  it('looks once per stretch of JavaScript, and again in the next one or when told to forget (a commit of ours, a new request)', async () => {
    const read = vi.spyOn(fs, 'readSync');
    try {
      const first = watch.version();
      // The rest of this request: its continuations, however many, share the look.
      await Promise.resolve();
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      expect(watch.version()).toBe(first);
      expect(read).toHaveBeenCalledTimes(1);
      // What another connection commits meanwhile shows in the next stretch: the next request.
      other.exec('insert into t values (7)');
      expect(watch.version()).toBe(first);
      await nextStretch();
      const second = watch.version();
      expect(second).not.toBe(first);
      expect(read).toHaveBeenCalledTimes(2);
      // A commit of this process's own drops the kept look at once.
      own.exec('insert into t values (8)');
      watch.forget();
      expect(watch.version()).not.toBe(second);
      expect(read).toHaveBeenCalledTimes(3);
    } finally {
      read.mockRestore();
    }
  });

  it('is not there for a database without a -shm file (then nothing is cached)', () => {
    expect(watchCommits(path.join(dir, 'missing.db'))).toBeNull();
  });
});

describe('the reads it saves, on the server’s own database', () => {
  let h: Harness;
  let sqlite: Database.Database;
  let file: string;
  beforeAll(async () => {
    h = await startHarness();
    await h.pair();
    file = (h.runtime.database as SqliteDatabase).file;
    sqlite = new Database(file); // another connection, as another process would have
    sqlite.pragma('busy_timeout = 5000');
  });
  afterAll(async () => {
    sqlite.close();
    await h.close();
  });

  it('a device revoked by another connection or process is refused on the next request', async () => {
    const me = await h.get('/api/status');
    expect(me.status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await h.get('/api/status')).status).toBe(200); // read, then remembered
    sqlite.prepare('update devices set revoked_at = ? where id = ?').run(new Date().toISOString(), me.body.device.id);
    expect((await h.get('/api/status')).status).toBe(401);

    const second = await h.pair();
    expect((await h.get('/api/status', { token: second })).status).toBe(200);
    inAnotherProcess(file, `update devices set revoked_at = '${new Date().toISOString()}' where token_hash = '${hashDeviceToken(second)}'`);
    expect((await h.get('/api/status', { token: second })).status).toBe(401);
  });

  it('an authenticated GET /api/status looks at the file once: the device and the summary share the look', async () => {
    const token = await h.pair();
    expect((await h.get('/api/status', { token })).status).toBe(200);
    const read = vi.spyOn(fs, 'readSync');
    try {
      expect((await h.get('/api/status', { token })).status).toBe(200);
      expect(read).toHaveBeenCalledTimes(1);
      expect((await h.get('/api/status', { token })).status).toBe(200); // the next request looks again
      expect(read).toHaveBeenCalledTimes(2);
    } finally {
      read.mockRestore();
    }
  });

  it('the status counts what another connection or process committed, at once', async () => {
    const token = await h.pair(); // the first test revoked the harness's own device
    const count = async () => {
      const res = await h.get('/api/status', { token });
      expect(res.status).toBe(200);
      return res.body.applications as number;
    };
    const start = await count();
    expect(await count()).toBe(start);
    sqlite.prepare('insert into applications (id, name, created_at) values (?, ?, ?)').run('app_other_connection', 'Other', new Date().toISOString());
    expect(await count()).toBe(start + 1);
    inAnotherProcess(file, "delete from applications where id = 'app_other_connection'");
    expect(await count()).toBe(start);
  });
});
