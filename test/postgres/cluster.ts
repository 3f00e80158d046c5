/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a fresh temp dir, a server
 * on a free 127.0.0.1 port with its unix socket in a private temp dir, trust auth for `postgres`.
 * Uses the installed server binaries (Debian: `apt-get install -y postgresql`). PostgreSQL refuses
 * to run as root, so as root initdb/pg_ctl run as the `postgres` OS user through `runuser`.
 *
 * The settings (port, listen address, socket dir, the `fast` ones) are written to the cluster's
 * postgresql.conf, so `start()` after `stop()` comes back on the same port with the same settings.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { adminQuery, createTestDatabase, dropTestDatabase } from './databases.js';

export type PostgresCluster = {
  port: number;
  /** The cluster's PGDATA (for tests that scan its files). */
  dataDir: string;
  /** The server log file (tests scan it for leaked secrets). */
  logFile: string;
  /** `postgres://postgres@127.0.0.1:PORT/DB`, database 'postgres' by default. */
  url(database?: string): string;
  /** CREATE DATABASE `serval_<prefix>_<random>`; returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Terminates the database's connections, then drops it. */
  dropDatabase(url: string): Promise<void>;
  checkpoint(): Promise<void>;
  /** `pg_ctl stop -m mode -w` ('fast' by default). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts again on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (immediate) if running and removes every file and dir it created. Idempotent. */
  destroy(): Promise<void>;
};

const RUN_AS_ROOT = process.getuid?.() === 0;
const COMMAND_TIMEOUT_MS = 120_000;

/** The newest PostgreSQL server bin dir (one holding initdb, pg_ctl and postgres), or null. */
function findBinDir(): string | null {
  const candidates: string[] = [];
  const debianRoot = '/usr/lib/postgresql';
  if (fs.existsSync(debianRoot)) {
    const versions = fs.readdirSync(debianRoot).filter((v) => /^\d+(\.\d+)?$/.test(v));
    versions.sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debianRoot, v, 'bin')));
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  return candidates.find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((bin) => isExecutable(path.join(dir, bin)))) ?? null;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let binDirCache: string | null | undefined;
function binDir(): string | null {
  if (binDirCache === undefined) binDirCache = findBinDir();
  return binDirCache;
}

/** True when the PostgreSQL server binaries are installed. */
export function postgresAvailable(): boolean {
  return binDir() !== null;
}

/** The argv that runs a PostgreSQL binary: as the `postgres` OS user when we are root. */
function pgCommand(bin: string, args: string[]): [string, string[]] {
  const file = path.join(binDir()!, bin);
  return RUN_AS_ROOT ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

function run(bin: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  const [file, argv] = pgCommand(bin, args);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: signal ? null : code, output: output + (signal ? `(killed by ${signal})` : '') }));
  });
}

/** A loopback port free right now (something else may take it before it is used: retry on EADDRINUSE). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function tail(file: string, maxChars = 4000): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-maxChars);
  } catch {
    return '(no log)';
  }
}

/** Clusters not yet destroyed: stopped synchronously if the process exits without destroying them. */
const live = new Set<{ stopNow(): void }>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const cluster of live) cluster.stopNow();
  });
}

/** Starts a fresh cluster. `fast` (default true) turns off fsync, synchronous_commit and full_page_writes. */
export async function startPostgresCluster(options: { fast?: boolean } = {}): Promise<PostgresCluster> {
  if (!postgresAvailable()) {
    throw new Error(
      'PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and `pg_config --bindir`). Install them: apt-get install -y postgresql',
    );
  }
  const fast = options.fast ?? true;
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-pg-'));
  const dataDir = path.join(baseDir, 'data');
  const socketDir = path.join(baseDir, 'socket');
  const logFile = path.join(baseDir, 'postgres.log');
  let port = 0;
  let running = false;
  let destroyed: Promise<void> | null = null;

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  const pgCtl = async (what: string, args: string[]) => {
    const result = await run('pg_ctl', ['-D', dataDir, ...args], baseDir);
    if (result.code !== 0) {
      throw new Error(`PostgreSQL ${what} failed (pg_ctl exit ${result.code}):\n${result.output.trim()}\n--- ${logFile} (tail) ---\n${tail(logFile)}`);
    }
  };

  const start = async () => {
    await pgCtl('start', ['-w', '-l', logFile, 'start']);
    running = true;
    await adminQuery(url(), 'select 1');
  };

  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await pgCtl(`stop (-m ${mode})`, ['-w', '-m', mode, 'stop']);
    running = false;
  };

  const handle = {
    stopNow() {
      if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
        const [file, argv] = pgCommand('pg_ctl', ['-D', dataDir, '-w', '-m', 'immediate', 'stop']);
        spawnSync(file, argv, { cwd: os.tmpdir(), stdio: 'ignore', timeout: 30_000 });
      }
      fs.rmSync(baseDir, { recursive: true, force: true });
    },
  };

  const destroy = () => {
    destroyed ??= (async () => {
      if (running || fs.existsSync(path.join(dataDir, 'postmaster.pid'))) await stop('immediate').catch(() => {});
      fs.rmSync(baseDir, { recursive: true, force: true });
      live.delete(handle);
    })();
    return destroyed;
  };

  installExitHook();
  live.add(handle);
  try {
    fs.mkdirSync(socketDir, { mode: 0o700 });
    if (RUN_AS_ROOT) {
      const user = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      if (user.status !== 0 || group.status !== 0)
        throw new Error('Running as root, PostgreSQL needs the `postgres` OS user, which does not exist (apt-get install -y postgresql creates it).');
      for (const dir of [baseDir, socketDir]) fs.chownSync(dir, Number(user.stdout), Number(group.stdout));
    }
    const initdb = await run(
      'initdb',
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync', '--no-instructions'],
      baseDir,
    );
    if (initdb.code !== 0) {
      const hint = RUN_AS_ROOT ? `\n(As root, initdb runs as the \`postgres\` user, which must be able to reach ${baseDir}.)` : '';
      throw new Error(`initdb failed (exit ${initdb.code}):\n${initdb.output.trim()}${hint}`);
    }

    // A port can be taken between freePort() and the server binding it: retry with another one.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const settings = {
        port: String(port),
        listen_addresses: `'127.0.0.1'`,
        unix_socket_directories: `'${socketDir.replaceAll("'", "''")}'`,
        max_connections: '200',
        // Few WAL segments kept: tests that scan the WAL for leaked keys read little.
        min_wal_size: '32MB',
        max_wal_size: '64MB',
        ...(fast ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
      };
      const lines = Object.entries(settings).map(([key, value]) => `${key} = ${value}`);
      fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), `\n# test cluster (test/postgres/cluster.ts)\n${lines.join('\n')}\n`);
      try {
        await start();
        break;
      } catch (error) {
        if (attempt >= 3 || !/could not bind|already in use/i.test(tail(logFile))) throw error;
      }
    }
  } catch (error) {
    await destroy();
    throw error;
  }

  return {
    port,
    dataDir,
    logFile,
    url,
    createDatabase: (prefix) => createTestDatabase(url(), prefix),
    dropDatabase: (databaseUrl) => dropTestDatabase(url(), databaseUrl),
    async checkpoint() {
      await adminQuery(url(), 'checkpoint');
    },
    stop,
    start,
    destroy,
  };
}
