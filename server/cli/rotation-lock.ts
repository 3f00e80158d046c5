/**
 * One master-key rotation at a time. Two at once lose keys: each rewrites master.key at its end
 * with the old keys it read at its start, dropping a key the other added meanwhile — and the rows
 * the other sealed under it no longer open. So a rotation holds a lock from before it reads
 * anything until it has finished, where the data is:
 *
 * - SQLite (the data dir): `master.key.lock` beside master.key, made whole and then linked into
 *   place (link refuses a name that exists, so of two runs exactly one gets it), holding the pid,
 *   the host and a random token. A lock whose process is gone (killed, crashed) is taken over.
 * - PostgreSQL: a session advisory lock (pg_try_advisory_lock), held on one connection for the
 *   run; the database drops it by itself when that connection ends, however the run ends.
 *
 * A second run is refused with RotationRunningError before it has changed anything.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';

export class RotationRunningError extends Error {}

/** pg_advisory_lock's key for "rotating the master key": the same number in every instance. */
export const ROTATION_LOCK = 0x5e4a1_2071;

export function rotationLockFile(dataDir: string): string {
  return path.join(dataDir, 'master.key.lock');
}

type Holder = { pid: number; host: string; since: string; token: string };

const NOTHING_CHANGED = 'Nothing was changed; run this again once it has finished.';

/** Takes the lock file, or throws RotationRunningError naming the run that holds it. Returns the release. */
export function takeRotationLockFile(file: string): () => void {
  const mine: Holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), token: randomBytes(16).toString('hex') };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const made = `${file}.${process.pid}.${mine.token.slice(0, 8)}`;
  fs.writeFileSync(made, `${JSON.stringify(mine)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(made, file);
        return () => releaseIfMine(file, mine.token);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(file);
      if (holder === 'gone') continue; // released between our link and our read: try again
      if (holder === 'unreadable' || holder.host !== mine.host || processRuns(holder.pid)) throw runningError(file, holder);
      takeOverStale(file, holder);
    }
    throw runningError(file, 'unreadable');
  } finally {
    fs.rmSync(made, { force: true });
  }
}

/**
 * The holder's process is gone. The lock is moved aside first, so that of several runs finding it
 * stale only one removes it; if what was moved turns out to be a lock taken meanwhile by a live
 * run, it is put back and this run refused.
 */
function takeOverStale(file: string, stale: Holder): void {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another run moved it first
    throw error;
  }
  try {
    const moved = readHolder(aside);
    if (moved !== 'gone' && moved !== 'unreadable' && moved.token !== stale.token) {
      try {
        fs.linkSync(aside, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      throw runningError(file, moved);
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

function releaseIfMine(file: string, token: string): void {
  const holder = readHolder(file);
  if (holder !== 'gone' && holder !== 'unreadable' && holder.token === token) fs.rmSync(file, { force: true });
}

function readHolder(file: string): Holder | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const holder = JSON.parse(text) as Partial<Holder>;
    if (Number.isInteger(holder.pid) && typeof holder.host === 'string' && typeof holder.token === 'string') return holder as Holder;
  } catch {
    /* not ours, or damaged */
  }
  return 'unreadable';
}

/** Whether a process with this pid runs on this machine (EPERM: it runs, as another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function runningError(file: string, holder: Holder | 'unreadable'): RotationRunningError {
  if (holder === 'unreadable') {
    return new RotationRunningError(
      `A master-key rotation is already running (${file} exists). ${NOTHING_CHANGED} If none is running, remove ${file} and run this again.`,
    );
  }
  return new RotationRunningError(
    `A master-key rotation is already running (pid ${holder.pid} on ${holder.host}, since ${holder.since}). ${NOTHING_CHANGED} ` +
      `If that process is not a rotation, remove ${file} and run this again.`,
  );
}

/**
 * Takes the PostgreSQL advisory lock on a connection of its own, held until the release; throws
 * RotationRunningError if another session holds it.
 */
export async function takeRotationAdvisoryLock(pool: pg.Pool): Promise<() => Promise<void>> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [ROTATION_LOCK]);
    if (!rows[0]?.locked) {
      throw new RotationRunningError(`A master-key rotation is already running on this database. ${NOTHING_CHANGED}`);
    }
  } catch (error) {
    client.release();
    throw error;
  }
  return async () => {
    try {
      await client.query('select pg_advisory_unlock($1)', [ROTATION_LOCK]);
      client.release();
    } catch (error) {
      client.release(error instanceof Error ? error : true); // a broken connection: dropped, which ends the lock too
    }
  };
}
