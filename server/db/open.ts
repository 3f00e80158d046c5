/** Which database: PostgreSQL when DATABASE_URL is set, else the SQLite file in the data dir. */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { PostgresDatabase } from './postgres/database.js';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite/database.js';

export type OpenDatabase = SqliteDatabase | PostgresDatabase;

/** node-postgres and the PostgreSQL repositories are loaded only when DATABASE_URL asks for them. */
export async function openDatabase(config: Config, logger: Logger): Promise<OpenDatabase> {
  if (config.database.url) {
    const { openPostgresDatabase } = await import('./postgres/database.js');
    return openPostgresDatabase(config.database.url, { poolSize: config.database.poolSize, logger });
  }
  return openSqliteDatabase(config.dataDir);
}
