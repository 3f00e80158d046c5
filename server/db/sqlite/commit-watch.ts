/**
 * Has anything been committed to the database since the last look? Asked on every authenticated
 * request, so it must cost less than the reads it saves: one read of 96 bytes.
 *
 * In WAL mode every commit, by any connection in any process (`npm run pair`, a second server),
 * rewrites the wal-index header at the start of the database's -shm file: its change counter, its
 * last frame and its checksums (https://sqlite.org/walformat.html, "The WAL-Index Header"; the
 * format is part of SQLite's file-format promise). Readers never write there. So two identical
 * reads of those bytes mean no commit in between, and anything read from the database after the
 * first is still what the database holds.
 *
 * Why not ask SQLite: every statement is a read transaction, and under load a statement cost the
 * server 15–25 µs (two fcntl locks on the -shm file each), the two an authenticated status request
 * ran being a quarter of its time; `PRAGMA data_version` is a statement too.
 *
 * A cache keyed by `version()` must take the version before it reads: a commit landing between
 * the two then makes the next version differ, never the reverse. Reads inside a transaction of our
 * own must not use it at all (their writes are not committed yet).
 *
 * One look per request, not one per read: an authenticated GET /api/status reads twice (the
 * device, then the summary), and each look is a system call (2 µs here, a tenth of what the bare
 * server spends on a whole request). A look is kept until the JavaScript that runs after it — the
 * callback that took it and every promise continuation queued behind it — has finished, and no
 * longer: no socket, timer or file callback runs in between, so nothing outside this process can
 * be observed between the look and its reuse, and every request whose code runs in that stretch
 * arrived before the look was taken. A commit of our own and the start of a request drop it
 * (`forget()`), so a request never answers from a look taken before it began — in-process ones
 * (app.request, in tests) included, whose runs need not be separate callbacks.
 */
import fs from 'node:fs';

/** Both copies of the wal-index header (48 bytes each); the checkpoint information after them changes with reads. */
const HEADER_BYTES = 96;

export type CommitWatch = {
  /** A number that changes whenever something was committed since it was last taken (and may change without). */
  version(): number;
  /** The next `version()` looks again (this process committed, or a request begins). */
  forget(): void;
  close(): void;
};

/** For a database in WAL mode, open by this process; null when it has no -shm file to watch (then nothing may be cached). */
export function watchCommits(databaseFile: string): CommitWatch | null {
  let fd: number;
  try {
    fd = fs.openSync(`${databaseFile}-shm`, 'r');
  } catch {
    return null;
  }
  const seen = Buffer.alloc(HEADER_BYTES);
  const read = Buffer.alloc(HEADER_BYTES);
  let version = 0;
  /** The look this stretch of JavaScript took, if any. */
  let kept: number | undefined;
  const forget = () => {
    kept = undefined;
  };
  // A microtask runs inside the current drain of the queue; a tick it schedules runs once that
  // drain is over — after the continuations the look's own request still has queued.
  const forgetAfterThisStretch = () => process.nextTick(forget);
  return {
    version() {
      if (kept !== undefined) return kept;
      const bytes = fs.readSync(fd, read, 0, HEADER_BYTES, 0);
      if (bytes !== HEADER_BYTES) {
        seen.fill(0); // not a header yet: no two looks are the same
        version++;
      } else if (!read.equals(seen)) {
        read.copy(seen);
        version++;
      }
      kept = version;
      queueMicrotask(forgetAfterThisStretch);
      return version;
    },
    forget,
    close() {
      fs.closeSync(fd);
    },
  };
}
