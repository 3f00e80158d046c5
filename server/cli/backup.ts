/**
 * `npm run backup -- FILE`: a consistent copy of the SQLite database, taken while the server runs
 * and writes (SQLite's online backup). It never overwrites a file. The copy holds sealed keys
 * only: without the master key it opens nothing — and with it, everything, so keep the two apart.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { masterKeyFile } from '../crypto/master-key.js';
import { databaseFile } from '../db/sqlite/database.js';

const fail = (message: string, code = 1): never => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

async function main() {
  const target = process.argv[2];
  if (!target) fail('Usage: npm run backup -- FILE   (FILE must not exist yet)', 2);
  const config = loadConfig({ ...process.env });
  if (config.database.url) {
    fail(
      'This backend stores its data in PostgreSQL (DATABASE_URL): back it up with pg_dump, e.g.\n' +
        '  pg_dump --format=custom --file=serval.dump "$DATABASE_URL"\n' +
        'and keep SERVAL_MASTER_KEY apart from the dump: the dump holds sealed keys only.',
      2,
    );
  }
  const source = databaseFile(config.dataDir);
  if (!fs.existsSync(source)) fail(`There is no database at ${source} to back up (SERVAL_DATA_DIR=${config.dataDir}).`);
  const destination = path.resolve(target);
  if (fs.existsSync(destination)) fail(`${destination} exists already; a backup never overwrites a file. Choose a new name.`);

  // Written aside in the same directory, then linked into place: `link` refuses an existing name,
  // so a file that appeared meanwhile is not overwritten either.
  const aside = `${destination}.partial-${process.pid}`;
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    fs.closeSync(fs.openSync(aside, 'wx', 0o600));
    await db.backup(aside);
    fs.linkSync(aside, destination);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') fail(`${destination} appeared meanwhile; a backup never overwrites a file.`);
    throw error;
  } finally {
    db.close();
    fs.rmSync(aside, { force: true });
  }
  const { size } = fs.statSync(destination);
  const keyFrom = config.masterKeys ? 'SERVAL_MASTER_KEY' : masterKeyFile(config.dataDir);
  process.stdout.write(
    [
      `Backed up ${source} to ${destination} (${(size / 1024).toFixed(0)} KiB, mode 0600).`,
      `It holds the Stripe keys sealed, not the master key: keep the master key (${keyFrom}) apart from`,
      'this file — without it the backup opens nothing; with it, anyone can open every key.',
      'To restore: stop the server, copy the file to serval.db in an empty data dir (0700), put the',
      'master key back (master.key, mode 0600, or SERVAL_MASTER_KEY), and start the server.',
      '',
    ].join('\n'),
  );
}

try {
  await main();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
