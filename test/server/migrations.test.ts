/**
 * A database made by an earlier release opens and migrates with nothing lost, on SQLite and on
 * PostgreSQL: its rows stay, its audit log keeps the order the events were written in, and a
 * backend in use before people existed becomes Owner's — every device, the pending pairing code,
 * what its devices did — while a backend never used gets nobody (its first pairing makes Owner).
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
import { openPostgresDatabase } from '../../server/db/postgres/database.js';
import type { Database as ServalDatabase } from '../../server/db/repositories.js';
import { databaseFile, openSqliteDatabase } from '../../server/db/sqlite/database.js';
import { createMemoryLogger } from '../../server/logger.js';
import { fromRoot } from '../../server/paths.js';
import { dropTestDatabase } from '../postgres/databases.js';
import { dialect, freshDatabaseEnv, postgresCluster } from './harness.js';

/** The last migration of each earlier release: before the audit log's `seq` on SQLite (PostgreSQL had it already), and before people. */
const BEFORE_AUDIT_SEQ = { sqlite: '0003_application_environment', postgres: '0002_application_environment' };
const BEFORE_PEOPLE = { sqlite: '0004_audit_seq', postgres: '0002_application_environment' };
/** Before organization keys, account names and key expiry (issue 25). */
const BEFORE_STRIPE_2026 = { sqlite: '0006_alerts', postgres: '0004_alerts' };

const made: string[] = [];
const opened: ServalDatabase[] = [];
let databaseUrl: string | undefined;
afterEach(async () => {
  for (const database of opened.splice(0)) await database.close();
  if (databaseUrl) await dropTestDatabase(postgresCluster().adminUrl, databaseUrl);
  databaseUrl = undefined;
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `serval-${name}-`));
  made.push(dir);
  return dir;
}

/** The dialect's migrations as a release shipped them: the same files, the journal cut after `lastTag`. */
function releaseMigrations(lastTag: string): string {
  const dir = tempDir('migrations');
  fs.cpSync(fromRoot(`server/db/${dialect}/migrations`), dir, { recursive: true });
  const journalFile = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  expect(last).toBeGreaterThanOrEqual(0);
  journal.entries = journal.entries.slice(0, last + 1);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

type Place = { dataDir: string; url: string | undefined };

/** A database as a release (`release[dialect]`) left it, with `statements` run on it. */
async function releaseDatabase(release: Record<typeof dialect, string>, statements: string[]): Promise<Place> {
  const migrationsFolder = releaseMigrations(release[dialect]);
  const dataDir = tempDir('data');
  if (dialect === 'sqlite') {
    const sqlite = new Database(databaseFile(dataDir));
    try {
      sqliteMigrate(sqliteDrizzle(sqlite), { migrationsFolder });
      for (const statement of statements) sqlite.exec(statement);
    } finally {
      sqlite.close();
    }
    return { dataDir, url: undefined };
  }
  databaseUrl = (await freshDatabaseEnv('migrations')).DATABASE_URL!;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await pgMigrate(pgDrizzle(client), { migrationsFolder });
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
  return { dataDir, url: databaseUrl };
}

/** Opens the database and starts it as the backend does at start-up (the migrations run). */
async function started(place: Place): Promise<ServalDatabase> {
  const database = place.url
    ? openPostgresDatabase(place.url, { poolSize: 2, logger: createMemoryLogger('silent').logger })
    : openSqliteDatabase(place.dataDir);
  opened.push(database);
  await database.start('k_test', () => {});
  return database;
}

/** Events written in this order; their clock stepped back once and two share a millisecond. */
const events = [
  { id: 'evt_c', at: '2026-05-01T00:00:02.000Z' },
  { id: 'evt_a', at: '2026-05-01T00:00:03.000Z' },
  { id: 'evt_e', at: '2026-05-01T00:00:01.000Z' },
  { id: 'evt_b', at: '2026-05-01T00:00:01.000Z' },
  { id: 'evt_d', at: '2026-05-01T00:00:04.000Z' },
];

const history = [
  "insert into applications (id, name, created_at, environment) values ('app_old', 'Old billing', '2026-04-01T00:00:00.000Z', 'test')",
  "insert into devices (id, name, token_hash, created_at) values ('dev_old', 'Old laptop', 'hash_old', '2026-04-01T00:00:00.000Z')",
  ...events.map(
    (e) =>
      `insert into audit_events (id, at, action, device_id, application_id, detail) values ('${e.id}', '${e.at}', 'application.renamed', 'dev_old', 'app_old', '{"n":"${e.id}"}')`,
  ),
];

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe(`a database from the release before the audit log's seq (${dialect})`, () => {
  it('opens and migrates with every row kept, and the audit log in the order it was written', async () => {
    const { repos } = await started(await releaseDatabase(BEFORE_AUDIT_SEQ, history));

    expect(await repos.applications.get('app_old')).toEqual({
      id: 'app_old',
      name: 'Old billing',
      createdAt: '2026-04-01T00:00:00.000Z',
      environment: 'test',
      stripeAccount: null,
    });
    const [owner] = await repos.people.list();
    expect((await repos.devices.activeByTokenHash('hash_old'))?.device).toMatchObject({ id: 'dev_old', personId: owner!.id });
    const listed = await repos.audit.list(100);
    expect(listed.map((e) => e.id)).toEqual(events.map((e) => e.id).reverse());
    expect(listed.at(-1)).toEqual({
      id: 'evt_c',
      at: '2026-05-01T00:00:02.000Z',
      action: 'application.renamed',
      personId: owner!.id,
      personName: 'Owner',
      deviceId: 'dev_old',
      applicationId: 'app_old',
      detail: '{"n":"evt_c"}',
      seq: expect.any(Number),
    });

    // What is written from now on comes after the history, whatever the clock says.
    await repos.audit.add({
      id: 'evt_new',
      at: '2000-01-01T00:00:00.000Z',
      action: 'application.deleted',
      personId: null,
      deviceId: null,
      applicationId: 'app_old',
      detail: '{}',
    });
    expect((await repos.audit.list(100)).map((e) => e.id)).toEqual(['evt_new', ...events.map((e) => e.id).reverse()]);
  });
});

describe(`a database from the release before people (${dialect})`, () => {
  it('becomes Owner’s, an admin: every device, the pending pairing code and what its devices did; used and expired codes go', async () => {
    const before = new Date().toISOString();
    const place = await releaseDatabase(BEFORE_PEOPLE, [
      ...history,
      "insert into devices (id, name, token_hash, created_at, revoked_at) values ('dev_gone', 'Lost phone', 'hash_gone', '2026-04-02T00:00:00.000Z', '2026-04-03T00:00:00.000Z')",
      "insert into pairing_codes (code_hash, created_at, expires_at) values ('code_pending', '2026-04-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z')",
      "insert into pairing_codes (code_hash, created_at, expires_at, used_at) values ('code_used', '2026-04-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z', '2026-04-01T00:01:00.000Z')",
      "insert into pairing_codes (code_hash, created_at, expires_at) values ('code_expired', '2020-01-01T00:00:00.000Z', '2020-01-01T00:10:00.000Z')",
      "insert into audit_events (id, at, action, device_id, application_id, detail) values ('evt_server', '2026-05-02T00:00:00.000Z', 'integration.rechecked', null, 'app_old', '{}')",
    ]);
    const { repos } = await started(place);
    const after = new Date().toISOString();

    const people = await repos.people.list();
    expect(people).toEqual([
      {
        id: expect.stringMatching(/^per_[0-9a-z]{16}$/),
        name: 'Owner',
        email: null,
        role: 'admin',
        createdAt: expect.stringMatching(ISO_TIME),
        disabledAt: null,
      },
    ]);
    const owner = people[0]!;
    expect(owner.createdAt >= before && owner.createdAt <= after).toBe(true);
    expect(await repos.people.enabledAdmins()).toEqual([owner]);

    expect(await repos.devices.activeByTokenHash('hash_old')).toEqual({
      device: expect.objectContaining({ id: 'dev_old', personId: owner.id }),
      person: owner,
    });
    expect(await repos.devices.get('dev_gone')).toMatchObject({ personId: owner.id, revokedAt: '2026-04-03T00:00:00.000Z' });
    expect((await repos.devices.listActive(null)).map((d) => [d.id, d.personName])).toEqual([['dev_old', 'Owner']]);

    expect(await repos.pairingCodes.retired(['code_used'], 1)).toBe(false); // gone, not retired
    expect(await repos.pairingCodes.retired(['code_expired'], 1)).toBe(false);
    expect(await repos.pairingCodes.consume(['code_pending'], new Date().toISOString(), 5)).toBe(owner.id);

    const listed = await repos.audit.list(100);
    expect(listed.map((e) => [e.id, e.personId, e.personName])).toEqual([
      ['evt_server', null, null],
      ...events.map((e) => [e.id, owner.id, 'Owner']).reverse(),
    ]);

    // The new columns hold: a device needs a person who exists.
    await expect(
      repos.devices.create({
        id: 'dev_orphan',
        personId: 'per_nobody',
        name: 'x',
        tokenHash: 'hash_orphan',
        createdAt: after,
        lastSeenAt: null,
        revokedAt: null,
      }),
    ).rejects.toThrow();

    // Started again, nothing more happens: still the one Owner.
    await opened.pop()!.close();
    expect(await (await started(place)).repos.people.list()).toEqual([owner]);
  });

  it('a backend never used (no devices, no live pairing code) gets nobody; nor does a new one', async () => {
    const unused = await started(
      await releaseDatabase(BEFORE_PEOPLE, [
        "insert into applications (id, name, created_at) values ('app_lonely', 'Lonely', '2026-04-01T00:00:00.000Z')",
        "insert into pairing_codes (code_hash, created_at, expires_at) values ('code_expired', '2020-01-01T00:00:00.000Z', '2020-01-01T00:10:00.000Z')",
        "insert into audit_events (id, at, action, device_id, application_id, detail) values ('evt_server', '2026-05-02T00:00:00.000Z', 'integration.rechecked', null, 'app_lonely', '{}')",
      ]),
    );
    expect(await unused.repos.people.list()).toEqual([]);
    expect(await unused.repos.applications.get('app_lonely')).toMatchObject({ name: 'Lonely' });
    expect((await unused.repos.audit.list(10)).map((e) => [e.id, e.personId])).toEqual([['evt_server', null]]);
    await unused.close();
    if (databaseUrl) await dropTestDatabase(postgresCluster().adminUrl, databaseUrl);

    databaseUrl = (await freshDatabaseEnv('migrations')).DATABASE_URL;
    const fresh = await started({ dataDir: tempDir('data'), url: databaseUrl });
    expect(await fresh.repos.people.list()).toEqual([]);
    expect(await fresh.repos.devices.listActive(null)).toEqual([]);
  });
});

describe(`a database from the release before organization keys (${dialect})`, () => {
  it('keeps its applications and stored keys, each without a Stripe account, an account name or an expiry until a check says', async () => {
    const { repos } = await started(
      await releaseDatabase(BEFORE_STRIPE_2026, [
        "insert into applications (id, name, created_at, environment) values ('app_kept', 'Kept', '2026-10-01T00:00:00.000Z', 'test')",
        `insert into stripe_integrations (application_id, key_type, mode, masked_key, account_id, status, permissions, source, connected_at,
           last_validated_at, fingerprint, sealed_key, key_id)
         values ('app_kept', 'restricted', 'test', 'rk_test_…Ab12', 'acct_1Kept', 'connected', '{}', 'extension', '2026-10-01T00:00:00.000Z',
           '2026-10-02T00:00:00.000Z', 'fp_kept', 'sealed', 'k_test')`,
      ]),
    );
    expect(await repos.applications.get('app_kept')).toMatchObject({ name: 'Kept', environment: 'test', stripeAccount: null });
    expect(await repos.integrations.get('app_kept')).toMatchObject({
      maskedKey: 'rk_test_…Ab12',
      accountId: 'acct_1Kept',
      accountName: null,
      keyExpiresAt: null,
    });
    expect(await repos.summary(null, '2099-01-01T00:00:00.000Z')).toMatchObject({ integrations: 1, expiringSoon: 0 });
    await repos.applications.update('app_kept', { stripeAccount: 'acct_1Org' });
    await repos.integrations.update('app_kept', { accountName: 'Sandbox A', keyExpiresAt: '2026-12-01T00:00:00.000Z' });
    expect(await repos.integrations.get('app_kept')).toMatchObject({ accountName: 'Sandbox A', keyExpiresAt: '2026-12-01T00:00:00.000Z' });
    expect((await repos.summary(null, '2099-01-01T00:00:00.000Z')).expiringSoon).toBe(1);
  });
});
