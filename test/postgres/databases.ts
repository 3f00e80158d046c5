/**
 * A database of its own for each test backend, on the run's throwaway cluster
 * (test/postgres/global-setup.ts), so test files run in parallel without seeing each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {}); // a server stopping under us surfaces through the awaited query
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates an empty database and returns its URL. */
export async function createTestDatabase(adminUrl: string, prefix = 'test'): Promise<string> {
  const name = `serval_${prefix
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(5).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createTestDatabase, ending whatever is still connected to it. */
export async function dropTestDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^serval_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to drop ${name}: not a test database`);
  await withAdmin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
}

/** The directory of a database's own files in the cluster, for tests that scan them. */
export async function databaseDirectory(adminUrl: string, databaseUrl: string): Promise<string> {
  const name = new URL(databaseUrl).pathname.slice(1);
  return withAdmin(adminUrl, async (c) => {
    const { rows } = await c.query<{ oid: string }>('select oid::text from pg_database where datname = $1', [name]);
    if (!rows[0]) throw new Error(`no database ${name}`);
    return `base/${rows[0].oid}`;
  });
}

/** Runs one statement as the cluster's superuser (CHECKPOINT, a look at a table). */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  return withAdmin(url, async (c) => (await c.query<R>(text, values)).rows);
}
