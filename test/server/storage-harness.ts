/**
 * The storage layer alone, on the run's dialect: a fresh database opened and started as the
 * backend starts it (migrations applied), without the services and routes above it. For the tests
 * of the repository contract, which hold on both databases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database, DeviceRow, PersonRow, Repositories, SessionRow } from '../../server/db/repositories.js';
import { openPostgresDatabase } from '../../server/db/postgres/database.js';
import { openSqliteDatabase } from '../../server/db/sqlite/database.js';
import { createMemoryLogger } from '../../server/logger.js';
import { adminQuery, dropTestDatabase } from '../postgres/databases.js';
import { dialect, freshDatabaseEnv, postgresCluster } from './harness.js';

export type TestStorage = Awaited<ReturnType<typeof openTestStorage>>;

export async function openTestStorage() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-storage-'));
  const url = (await freshDatabaseEnv('storage')).DATABASE_URL;
  const sqlite = url ? null : openSqliteDatabase(dataDir);
  const database: Database = sqlite ?? openPostgresDatabase(url!, { poolSize: 8, logger: createMemoryLogger('silent').logger });
  await database.start('k_test', () => {});

  return {
    dialect,
    database,
    repos: database.repos,
    /** Runs SQL underneath the repositories (`?` placeholders on both dialects). */
    async sql<R extends Record<string, unknown> = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> {
      if (sqlite) {
        const statement = sqlite.sqlite.prepare(text);
        if (statement.reader) return statement.all(...values) as R[];
        statement.run(...values);
        return [];
      }
      let n = 0;
      return adminQuery<R>(
        url!,
        text.replace(/\?/g, () => `$${++n}`),
        values,
      );
    },
    async close() {
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (url) await dropTestDatabase(postgresCluster().adminUrl, url);
    },
  };
}

/** Three moments the storage tests compare against (the repositories take the time from their caller). */
export const EARLIER = '2026-06-01T11:00:00.000Z';
export const NOW = '2026-06-01T12:00:00.000Z';
export const LATER = '2026-06-01T13:00:00.000Z';

/** Stores rows with unique ids and digests, anything else as given. */
export function rowMakers(repos: Repositories) {
  let made = 0;
  const second = () => String(made % 60).padStart(2, '0');
  return {
    async person(patch: Partial<PersonRow> = {}): Promise<PersonRow> {
      const row: PersonRow = {
        id: `per_${++made}`,
        name: `Person ${made}`,
        email: null,
        role: 'member',
        createdAt: `2026-01-01T00:00:${second()}.000Z`,
        disabledAt: null,
        ...patch,
      };
      await repos.people.create(row);
      return row;
    },
    async device(personId: string, patch: Partial<DeviceRow> = {}): Promise<DeviceRow> {
      const id = `dev_${++made}`;
      const row: DeviceRow = {
        id,
        personId,
        name: id,
        tokenHash: `hash_${id}`,
        createdAt: `2026-02-01T00:00:${second()}.000Z`,
        lastSeenAt: null,
        revokedAt: null,
        ...patch,
      };
      await repos.devices.create(row);
      return row;
    },
    async session(personId: string, patch: Partial<SessionRow> = {}): Promise<SessionRow> {
      const id = `ses_${++made}`;
      const row: SessionRow = {
        id,
        personId,
        cookieHash: `cookie_${id}`,
        secretHash: `secret_${id}`,
        method: 'code',
        userAgent: 'Firefox',
        createdAt: `2026-06-01T10:00:${second()}.000Z`,
        lastSeenAt: '2026-06-01T10:00:00.000Z',
        expiresAt: LATER,
        revokedAt: null,
        ...patch,
      };
      await repos.sessions.create(row);
      return row;
    },
  };
}

/** The driver's error code (drizzle wraps it on PostgreSQL, as `cause`): what the services map to 409 `email_taken`. */
export function driverCode(error: unknown): unknown {
  const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
  return code ?? cause?.code;
}

export const UNIQUE_VIOLATION = dialect === 'sqlite' ? 'SQLITE_CONSTRAINT_UNIQUE' : '23505';
