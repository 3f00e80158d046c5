/**
 * PostgreSQL for a team's deployment (DATABASE_URL): node-postgres with a pool, migrations applied
 * at start-up under an advisory lock so that instances starting together take turns. A lost
 * connection never takes the process down: the pool drops the connection and makes a new one when
 * asked, so the backend recovers by itself when the database is back.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Logger } from '../../logger.js';
import { fromRoot } from '../../paths.js';
import { startUp } from '../queries.js';
import type { Database } from '../repositories.js';
import { redactDatabaseUrl, transportWarning } from './connection-url.js';
import { createPostgresRepositories, postgresRunner } from './repositories.js';
import * as schema from './schema.js';

const migrationsFolder = fromRoot('server/db/postgres/migrations');

/** pg_advisory_lock's key for "starting up": the same number in every instance. */
const STARTUP_LOCK = 0x5e4a1_57a47;

export type PostgresDatabase = Database & { dialect: 'postgres'; pool: pg.Pool };

export function openPostgresDatabase(url: string, options: { poolSize: number; logger: Logger; connectTimeoutMs?: number }): PostgresDatabase {
  const { logger } = options;
  const describe = redactDatabaseUrl(url);
  // Beyond loopback, a connection without verified TLS is said at start-up (connection-url.ts).
  const unsafe = transportWarning(url);
  if (unsafe) logger.warn({ database: describe, host: unsafe.host, problem: unsafe.problem }, unsafe.message);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    // While the database is down, a request fails after this long instead of waiting for ever.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'serval',
  });
  // A connection can break while idle in the pool (the pool removes it) or while checked out
  // between two queries (its next query fails). Either way: note it, never crash.
  const onConnectionError = (error: Error) => logger.warn({ err: error.message }, 'database connection lost');
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => client.on('error', onConnectionError));

  const db = drizzle(pool, { schema });
  const repos = createPostgresRepositories(db, pool);

  return {
    dialect: 'postgres',
    pool,
    repos,
    describe,
    async start(keyId, check) {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [STARTUP_LOCK]);
        try {
          const onClient = drizzle(client, { schema });
          await startUp(postgresRunner(onClient), () => migrate(onClient, { migrationsFolder }), keyId, check);
        } finally {
          await client.query('select pg_advisory_unlock($1)', [STARTUP_LOCK]);
        }
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
