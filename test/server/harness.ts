/**
 * Builds the real backend for a test: the real stripe SDK talking HTTP to the Stripe-compatible
 * test server, logs captured in memory, and a real database — a SQLite file in a temporary data
 * dir, or (in the server-pg project, SERVAL_TEST_DB=postgres) a database of its own on the run's
 * throwaway PostgreSQL cluster. Every response body is kept so a test can prove no key ever came back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect, inject } from 'vitest';
import type { Resolver } from '../../server/alerts/deliver.js';
import { loadConfig, type Config } from '../../server/config.js';
import { createMemoryLogger } from '../../server/logger.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { adminQuery, createTestDatabase, databaseDirectory, dropTestDatabase } from '../postgres/databases.js';
import { startStripeServer } from '../stripe-server/index.js';

/** Which database this test run's server tests use. */
export const dialect: 'sqlite' | 'postgres' = process.env.SERVAL_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

/** The run's PostgreSQL cluster: its superuser URL, data directory and log. */
export function postgresCluster(): { adminUrl: string; dataDir: string; logFile: string } {
  return { adminUrl: inject('postgresUrl'), dataDir: inject('postgresDataDir'), logFile: inject('postgresLogFile') };
}

/**
 * The environment that points a backend at a fresh, empty database of the run's dialect: nothing
 * on SQLite (the data dir holds it), a new database and a master key on PostgreSQL.
 */
export async function freshDatabaseEnv(prefix = 'test'): Promise<Record<string, string>> {
  if (dialect === 'sqlite') return {};
  return { DATABASE_URL: await createTestDatabase(postgresCluster().adminUrl, prefix), SERVAL_MASTER_KEY: randomMasterKey() };
}

export type ApiResponse<T = any> = { status: number; body: T; headers: Headers };

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function startHarness(options: { env?: Record<string, string>; now?: () => Date; resolver?: Resolver } = {}) {
  const startedAt = Date.now();
  const stripe = await startStripeServer({ port: 0 });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-test-'));
  const env: Record<string, string> = {
    ...(await freshDatabaseEnv()),
    SERVAL_DATA_DIR: dataDir,
    STRIPE_API_BASE: stripe.url,
    STRIPE_TIMEOUT_MS: '1000',
    STRIPE_MAX_RETRIES: '0',
    SERVAL_RECHECK_INTERVAL_MINUTES: '0',
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  const { logger, lines: logLines } = createMemoryLogger();
  const config: Config = loadConfig(env);
  let runtime: Runtime = await createRuntime(config, { logger, now: options.now, resolver: options.resolver });
  const responses: string[] = [];

  async function request<T = any>(
    method: string,
    url: string,
    init: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined || init.raw !== undefined) headers['Content-Type'] ??= 'application/json';
    const token = init.token === undefined ? harness.token : init.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await runtime.app.request(url, {
      method,
      headers,
      body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    });
    const text = await res.text();
    responses.push(`${res.status} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`);
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body, headers: res.headers };
  }

  const harness = {
    stripe,
    dataDir,
    dialect,
    config,
    env,
    logLines,
    responses,
    token: null as string | null,
    get runtime() {
      return runtime;
    },
    request,
    get: <T = any>(url: string, init?: Parameters<typeof request>[2]) => request<T>('GET', url, init),
    post: <T = any>(url: string, body?: unknown, init?: Parameters<typeof request>[2]) => request<T>('POST', url, { ...init, body }),
    put: <T = any>(url: string, body?: unknown, init?: Parameters<typeof request>[2]) => request<T>('PUT', url, { ...init, body }),
    patch: <T = any>(url: string, body?: unknown, init?: Parameters<typeof request>[2]) => request<T>('PATCH', url, { ...init, body }),
    del: <T = any>(url: string, init?: Parameters<typeof request>[2]) => request<T>('DELETE', url, init),

    /**
     * Pairs a device the way the extension does, for the earliest enabled admin: on a new backend,
     * Owner (an admin), made by this first code. The first device's token is the harness's default.
     */
    async pair(deviceName = 'Test browser'): Promise<string> {
      const { code } = await runtime.pairing.issueCode();
      const res = await request('POST', '/api/pair', { body: { code, deviceName }, token: null });
      expect(res.status).toBe(201);
      harness.token ??= res.body.token;
      return res.body.token;
    },

    /**
     * A new person with this role, added by an admin through the API (the harness's default
     * device, paired first if need be), and a device paired for them with a code the admin asked for.
     */
    async personWithDevice(
      role: 'admin' | 'member' | 'viewer',
      options: { name?: string; email?: string; deviceName?: string } = {},
    ): Promise<{ person: { id: string; name: string; email: string | null; role: string }; token: string }> {
      if (!harness.token) await harness.pair();
      const name = options.name ?? `A ${role}`;
      const created = await request('POST', '/api/people', { body: { name, role, ...(options.email ? { email: options.email } : {}) } });
      expect(created.status).toBe(201);
      const token = await harness.pairAs(created.body.person.id, options.deviceName ?? `${name}'s browser`);
      return { person: created.body.person, token };
    },

    /** Pairs a device for an existing person, with a code an admin (the harness's default device) asked for. */
    async pairAs(personId: string, deviceName = 'Test browser'): Promise<string> {
      const issued = await request('POST', '/api/pairing-codes', { body: { personId } });
      expect(issued.status).toBe(201);
      const paired = await request('POST', '/api/pair', { body: { code: issued.body.code, deviceName }, token: null });
      expect(paired.status).toBe(201);
      return paired.body.token;
    },

    async createApplication(name = 'Billing'): Promise<string> {
      const res = await request('POST', '/api/applications', { body: { name } });
      expect(res.status).toBe(201);
      return res.body.application.id;
    },

    /** A new backend on the same data dir and database, as after a restart. */
    async restart(extraEnv: Record<string, string> = {}) {
      await runtime.close();
      runtime = await createRuntime(loadConfig({ ...env, ...extraEnv }), { logger, now: options.now, resolver: options.resolver });
    },

    /** Runs SQL on the backend's own database (as the superuser on PostgreSQL): for tests that look underneath the API. */
    async sql<R extends Record<string, unknown> = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> {
      if (runtime.database.dialect === 'sqlite') {
        const statement = runtime.database.sqlite.prepare(text);
        if (statement.reader) return statement.all(...values) as R[];
        statement.run(...values);
        return [];
      }
      // $1, $2 … on PostgreSQL; the tests write ? for both.
      let n = 0;
      return adminQuery<R>(
        env.DATABASE_URL!,
        text.replace(/\?/g, () => `$${++n}`),
        values,
      );
    },

    /** The database is sound: SQLite's integrity check; PostgreSQL's amcheck over every index of ours. */
    async checkIntegrity() {
      if (runtime.database.dialect === 'sqlite') {
        expect(runtime.database.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
        return;
      }
      await harness.sql('create extension if not exists amcheck');
      const indexes = await harness.sql<{ name: string }>(
        "select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'",
      );
      expect(indexes.length).toBeGreaterThan(5);
      for (const { name } of indexes) await harness.sql(`select bt_index_parent_check('public.${name}'::regclass, true)`);
    },

    /**
     * Everything our side wrote or said: the database's files (SQLite with -wal/-shm after a
     * checkpoint and before it; on PostgreSQL, after a CHECKPOINT, this database's files, the
     * cluster's WAL and its log), our logs, every response.
     */
    async exposed(): Promise<Array<{ name: string; bytes: Buffer }>> {
      const files: Array<{ name: string; bytes: Buffer }> = [];
      const readDir = (dir: string, changedSince = 0) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const file = path.join(dir, entry.name);
          if (entry.isDirectory()) readDir(file, changedSince);
          else if (entry.isFile()) {
            // PostgreSQL removes files of its own while we read (pg_internal.init, old WAL segments):
            // one gone between the listing and the read holds nothing left to look at.
            try {
              if (fs.statSync(file).mtimeMs >= changedSince) files.push({ name: file, bytes: fs.readFileSync(file) });
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
            }
          }
        }
      };
      if (runtime.database.dialect === 'sqlite') {
        readDir(dataDir);
        runtime.database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
        readDir(dataDir);
      } else {
        const cluster = postgresCluster();
        await adminQuery(cluster.adminUrl, 'checkpoint');
        readDir(path.join(cluster.dataDir, await databaseDirectory(cluster.adminUrl, env.DATABASE_URL!)));
        readDir(path.join(cluster.dataDir, 'pg_wal'), startedAt - 1000); // the segments written while this backend ran
        readDir(path.join(cluster.dataDir, 'global'));
        files.push({ name: cluster.logFile, bytes: fs.readFileSync(cluster.logFile) });
        readDir(dataDir);
      }
      return [...files, ...[...logLines, ...responses].map((text, i) => ({ name: `log/response ${i}`, bytes: Buffer.from(text) }))];
    },

    async exposedText(): Promise<string> {
      return (await harness.exposed()).map((f) => f.bytes.toString('latin1')).join('\n');
    },

    async assertNeverExposed(keys: string[]) {
      const exposed = await harness.exposed();
      expect(exposed.length).toBeGreaterThan(2);
      for (const key of keys) {
        const needle = Buffer.from(key, 'latin1');
        const where = exposed.filter((f) => f.bytes.includes(needle)).map((f) => f.name);
        expect(where, `key ${key.slice(0, 12)}… exposed`).toEqual([]);
      }
    },

    async close() {
      await runtime.close();
      await stripe.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (env.DATABASE_URL) await dropTestDatabase(postgresCluster().adminUrl, env.DATABASE_URL);
    },
  };
  return harness;
}

export function randomMasterKey(): string {
  return randomBytes(32).toString('base64');
}
