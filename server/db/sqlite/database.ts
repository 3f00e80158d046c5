/** The embedded default: one SQLite file in the data dir — WAL, foreign keys on, migrations applied at start-up. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { makePrivate } from '../../data-dir.js';
import { fromRoot } from '../../paths.js';
import { startUp } from '../queries.js';
import type { Database as ServalDatabase } from '../repositories.js';
import { createSqliteRepositories, sqliteRunner } from './repositories.js';
import * as schema from './schema.js';

const migrationsFolder = fromRoot('server/db/sqlite/migrations');

export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'serval.db');
}

export type SqliteDatabase = ServalDatabase & { dialect: 'sqlite'; sqlite: Database.Database; file: string };

export function openSqliteDatabase(dataDir: string): SqliteDatabase {
  makePrivate(dataDir);
  const file = databaseFile(dataDir);
  // Every database file 0600: SQLite gives -wal and -shm the main file's mode.
  fs.closeSync(fs.openSync(file, 'a', 0o600)); // created private, before SQLite opens it
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600); // files from older versions
  const sqlite = new Database(file);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // An acknowledged key must survive power loss, not only a crash: FULL syncs the WAL at every
    // commit (NORMAL could lose the last commits when the machine loses power).
    sqlite.pragma('synchronous = FULL');
    // Deleted keys are overwritten on disk, not left in free pages.
    sqlite.pragma('secure_delete = ON');
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const db = drizzle(sqlite, { schema });
  const repos = createSqliteRepositories(db, sqlite);

  /**
   * drizzle's migrator reads what is applied, then applies the rest: a second process starting on
   * the same file at the same moment can lose that race ("table already exists"). Its next try
   * sees the migrations applied.
   */
  const migrateOnce = () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return migrate(db, { migrationsFolder });
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  };

  return {
    dialect: 'sqlite',
    sqlite,
    file,
    repos,
    describe: file,
    async start(keyId, check) {
      await startUp(sqliteRunner(db), async () => migrateOnce(), keyId, check);
    },
    async ping() {
      sqlite.prepare('select 1').get();
    },
    async close() {
      if (sqlite.open) sqlite.close();
    },
  };
}
