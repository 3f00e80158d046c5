/** Opens the SQLite database: WAL, foreign keys on, migrations applied. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;
export type OpenDatabase = { db: Db; sqlite: Database.Database; file: string; close(): void };

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'serval.db');
}

export function openDatabase(dataDir: string): OpenDatabase {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = databaseFile(dataDir);
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // WAL with synchronous=NORMAL is durable across application crashes and much faster.
  sqlite.pragma('synchronous = NORMAL');
  // Deleted keys are overwritten on disk, not left in free pages.
  sqlite.pragma('secure_delete = ON');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return { db, sqlite, file, close: () => sqlite.close() };
}
