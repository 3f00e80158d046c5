/**
 * A database made by the previous release opens and migrates with nothing lost, on SQLite and on
 * PostgreSQL: its rows stay, and its audit log keeps the order the events were written in.
 */
import Database from 'better-sqlite3';
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3';
import { migrate as sqliteMigrate } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres';
import { migrate as pgMigrate } from 'drizzle-orm/node-postgres/migrator';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { databaseFile } from '../../server/db/sqlite/database.js';
import { createMemoryLogger } from '../../server/logger.js';
import { fromRoot } from '../../server/paths.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { dropTestDatabase } from '../postgres/databases.js';
import { dialect, freshDatabaseEnv, postgresCluster, randomMasterKey } from './harness.js';

/** The last migration of the release before the audit log's `seq` on SQLite (PostgreSQL had it already). */
const PREVIOUS_RELEASE = { sqlite: '0003_application_environment', postgres: '0002_application_environment' };

const made: string[] = [];
let runtime: Runtime | undefined;
let databaseUrl: string | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  if (databaseUrl) await dropTestDatabase(postgresCluster().adminUrl, databaseUrl);
  databaseUrl = undefined;
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `serval-${name}-`));
  made.push(dir);
  return dir;
}

/** The dialect's migrations as the previous release shipped them: the same files, the journal cut there. */
function previousReleaseMigrations(): string {
  const dir = tempDir('migrations');
  fs.cpSync(fromRoot(`server/db/${dialect}/migrations`), dir, { recursive: true });
  const journalFile = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
  const last = journal.entries.findIndex((e) => e.tag === PREVIOUS_RELEASE[dialect]);
  expect(last).toBeGreaterThanOrEqual(0);
  journal.entries = journal.entries.slice(0, last + 1);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

/** Events written in this order; their clock stepped back once and two share a millisecond. */
const events = [
  { id: 'evt_c', at: '2026-05-01T00:00:02.000Z' },
  { id: 'evt_a', at: '2026-05-01T00:00:03.000Z' },
  { id: 'evt_e', at: '2026-05-01T00:00:01.000Z' },
  { id: 'evt_b', at: '2026-05-01T00:00:01.000Z' },
  { id: 'evt_d', at: '2026-05-01T00:00:04.000Z' },
];

const statements = [
  "insert into applications (id, name, created_at, environment) values ('app_old', 'Old billing', '2026-04-01T00:00:00.000Z', 'test')",
  "insert into devices (id, name, token_hash, created_at) values ('dev_old', 'Old laptop', 'hash_old', '2026-04-01T00:00:00.000Z')",
  ...events.map(
    (e) =>
      `insert into audit_events (id, at, action, device_id, application_id, detail) values ('${e.id}', '${e.at}', 'application.renamed', 'dev_old', 'app_old', '{"n":"${e.id}"}')`,
  ),
];

/** A database as the previous release left it, with some history; the environment to open it with. */
async function previousReleaseDatabase(): Promise<Record<string, string>> {
  const migrationsFolder = previousReleaseMigrations();
  const dataDir = tempDir('data');
  const env = { SERVAL_DATA_DIR: dataDir, SERVAL_MASTER_KEY: randomMasterKey(), SERVAL_RECHECK_INTERVAL_MINUTES: '0', LOG_LEVEL: 'silent' };
  if (dialect === 'sqlite') {
    const sqlite = new Database(databaseFile(dataDir));
    try {
      sqliteMigrate(sqliteDrizzle(sqlite), { migrationsFolder });
      for (const statement of statements) sqlite.exec(statement);
    } finally {
      sqlite.close();
    }
    return env;
  }
  const fresh = await freshDatabaseEnv('migrations');
  databaseUrl = fresh.DATABASE_URL!;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await pgMigrate(pgDrizzle(client), { migrationsFolder });
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
  return { ...env, DATABASE_URL: databaseUrl };
}

describe(`a database from the previous release (${dialect})`, () => {
  it('opens and migrates with every row kept, and the audit log in the order it was written', async () => {
    const env = await previousReleaseDatabase();
    runtime = await createRuntime(loadConfig(env), { logger: createMemoryLogger('silent').logger });

    expect(await runtime.repos.applications.get('app_old')).toEqual({
      id: 'app_old',
      name: 'Old billing',
      createdAt: '2026-04-01T00:00:00.000Z',
      environment: 'test',
    });
    expect((await runtime.repos.devices.activeByTokenHash('hash_old'))?.id).toBe('dev_old');
    const listed = await runtime.audit.list(100);
    expect(listed.map((e) => e.id)).toEqual(events.map((e) => e.id).reverse());
    expect(listed.at(-1)).toEqual({
      id: 'evt_c',
      at: '2026-05-01T00:00:02.000Z',
      action: 'application.renamed',
      deviceId: 'dev_old',
      applicationId: 'app_old',
      detail: { n: 'evt_c' },
    });

    // What is written from now on comes after the history, whatever the clock says.
    await runtime.audit.record(runtime.repos, { action: 'application.deleted', deviceId: 'dev_old', applicationId: 'app_old' });
    expect((await runtime.audit.list(100)).map((e) => e.id).slice(1)).toEqual(events.map((e) => e.id).reverse());
  });
});
