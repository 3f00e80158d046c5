/**
 * The backend as `npm start` runs it — a real process (server/main.ts) — for tests that need more
 * than one instance, a real signal, or a real outage. `startBackend` resolves once it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { logBarrier } from './log-barrier.js';

export type BackendProcess = {
  child: ChildProcess;
  url: string;
  pairingCode: string;
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
  /** Waits for a line of stdout (or, with `stream: 'stderr'`, of stderr) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number, stream?: 'stdout' | 'stderr'): Promise<RegExpExecArray>;
  fetch(path: string, init?: { method?: string; token?: string; body?: unknown }): Promise<{ status: number; body: any; headers: Headers }>;
  /** Waits until every line logged before this call is in `output().stdout` (log-barrier.ts). */
  logWritten(): Promise<void>;
  stop(): Promise<number | null>;
};

/** The start-up pairing code as the server prints it. */
export const PAIRING_CODE = /Pairing code: ([A-Z2-9]{4}-[A-Z2-9]{4})/;

export type SpawnOptions = {
  /** Options for node itself, before the script (as `npm run serve` gives them). */
  nodeArgs?: string[];
  /** false: run the TypeScript sources (tsx) instead of the production bundle. */
  compiled?: boolean;
  /**
   * Send the server's stdout to this file, as a service's log goes to its file or collector,
   * instead of through a pipe into this process (which then has to keep reading it: under load,
   * a third process on the CPU). `output().stdout` reads the file.
   */
  stdoutFile?: string;
  /** With stdoutFile: stderr goes to that same file (`2>&1`), as systemd gives both to its journal. */
  stderrToStdoutFile?: boolean;
};

/**
 * Spawns the server with `env` on top of ours (PORT 0, no schedule unless asked): the production
 * bundle `npm run serve` runs (the server tests' global setup builds it), or — `compiled: false`
 * — its TypeScript sources. Not awaited: see `startBackend`.
 */
export function spawnBackend(env: Record<string, string>, options: SpawnOptions = {}) {
  const args = [...(options.nodeArgs ?? []), ...(options.compiled === false ? ['--import', 'tsx', 'server/main.ts'] : ['dist/server/main.cjs'])];
  const stdoutFd = options.stdoutFile === undefined ? null : fs.openSync(options.stdoutFile, 'w', 0o600);
  const child = spawn(process.execPath, args, {
    env: { ...process.env, PORT: '0', SERVAL_RECHECK_INTERVAL_MINUTES: '0', ...env },
    stdio: ['ignore', stdoutFd ?? 'pipe', stdoutFd !== null && options.stderrToStdoutFile ? stdoutFd : 'pipe'],
  });
  if (stdoutFd !== null) fs.closeSync(stdoutFd); // the child has its own copy
  let piped = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (piped += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const stdoutNow = () => (options.stdoutFile === undefined ? piped : fs.readFileSync(options.stdoutFile, 'utf8'));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, timeoutMs = 20_000, stream: 'stdout' | 'stderr' = 'stdout') => {
    const read = () => (stream === 'stdout' ? stdoutNow() : stderr);
    const started = Date.now();
    let text = read();
    while (!pattern.test(text)) {
      if (child.exitCode !== null || Date.now() - started > timeoutMs) {
        throw new Error(
          `${child.exitCode !== null ? `exited (${child.exitCode})` : 'timed out'} waiting for ${pattern}; stdout: ${stdoutNow()}; stderr: ${stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
      text = read();
    }
    return pattern.exec(text)!;
  };
  return { child, exited, waitFor, output: () => ({ stdout: stdoutNow(), stderr }) };
}

export async function startBackend(env: Record<string, string>, options: SpawnOptions = {}): Promise<BackendProcess> {
  const spawned = spawnBackend(env, options);
  const [, url] = await spawned.waitFor(/listening on (http:\/\/\S+)/);
  // stdout is a pipe or a file here, not a terminal: the code is on stderr, never in the log (server/main.ts).
  const [, pairingCode] = await spawned.waitFor(PAIRING_CODE, 20_000, 'stderr');
  return {
    ...spawned,
    url,
    pairingCode,
    async fetch(path, init = {}) {
      const headers: Record<string, string> = {};
      if (init.body !== undefined) headers['Content-Type'] = 'application/json';
      if (init.token) headers.Authorization = `Bearer ${init.token}`;
      const res = await fetch(`${url}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    logWritten: logBarrier(url, () => spawned.output().stdout),
    async stop() {
      if (spawned.child.exitCode === null) spawned.child.kill('SIGTERM');
      return spawned.exited;
    },
  };
}
