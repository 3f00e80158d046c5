/** Which database: PostgreSQL when DATABASE_URL is set, else the SQLite file in the data dir. */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { openPostgresDatabase, type PostgresDatabase } from './postgres/database.js';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite/database.js';

export type OpenDatabase = SqliteDatabase | PostgresDatabase;

export function openDatabase(config: Config, logger: Logger): OpenDatabase {
  if (config.database.url) return openPostgresDatabase(config.database.url, { poolSize: config.database.poolSize, logger });
  return openSqliteDatabase(config.dataDir);
}
