/**
 * The production server: the compiled bundle `npm run serve` runs, measured as a user feels it,
 * beside a bare `node:http` server started in the same run so that a slow machine shows as such.
 * - GET /api/status — what every paired browser polls, about once a minute — under 50
 *   connections, as requests per second and 99th-percentile latency, on each database. The target
 *   comes from real use: 1,000 req/s is a fleet of some 60,000 browsers.
 * - The server's resident memory after that load.
 * - `npm run serve` until /api/health answers.
 * Load comes from wrk (Debian's `wrk`) when installed — a C client, one thread: on two cores it
 * takes one and leaves the other to the server under test, as clients elsewhere would — else from
 * autocannon in this process. The server logs every request, as in production, to a file — as a
 * service's stdout goes to its log file or collector — rather than through a pipe into this
 * process, which would be a third busy process on two cores.
 */
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startBackend } from '../test/server/backend-process.js';
import { freePort } from '../test/postgres/cluster.js';
import { startStripeServer } from '../test/stripe-server/index.js';
import { benchDatabases, type BenchDatabase } from './databases.js';
import { median, round, type BenchResult } from './stats.js';

/**
 * What `npm run serve` gives node — its environment (`NAME=value` before `node`) and its options —
 * read from package.json, so the bench measures what the script runs (see the README's "Memory").
 */
const SERVE_WORDS = (JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts.serve as string).split(' ');
const SERVE_ENV = Object.fromEntries(SERVE_WORDS.slice(0, SERVE_WORDS.indexOf('node')).map((word) => word.split('=') as [string, string]));
const SERVE_NODE_ARGS = SERVE_WORDS.filter((word) => word.startsWith('--'));

const CONNECTIONS = 50;
const SECONDS = 3;
const ROUNDS = 3;
const STARTS = 5;

const hasWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status === 1; // wrk --version exits 1 after printing
  }
})();

export async function benchServer(): Promise<BenchResult[]> {
  execFileSync(process.execPath, ['--import', 'tsx', 'server/build.ts'], { stdio: 'ignore' }); // what npm run build:server does
  const results: BenchResult[] = [
    {
      name: `Load generator: ${hasWrk ? 'wrk, one thread (one core for the client, one for the server)' : 'autocannon (install wrk for figures closer to a real client)'}`,
      value: CONNECTIONS,
      unit: 'conns',
    },
  ];
  for (const database of await benchDatabases()) results.push(...(await statusOn(database)));
  results.push(...(await startup()));
  return results;
}

async function statusOn(database: BenchDatabase): Promise<BenchResult[]> {
  const stripe = await startStripeServer({ port: 0, recordRequests: false });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-bench-'));
  const env = { ...SERVE_ENV, SERVAL_DATA_DIR: dataDir, STRIPE_API_BASE: stripe.url, LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...(await database.env()) };
  const logFile = path.join(os.tmpdir(), `serval-bench-${process.pid}-${database.label}.log`);
  const backend = await startBackend(env, { compiled: true, stdoutFile: logFile, nodeArgs: SERVE_NODE_ARGS });
  let bare: { url: string; close(): void } | null = null;
  try {
    const { token } = (await backend.fetch('/api/pair', { method: 'POST', body: { code: backend.pairingCode, deviceName: 'bench' } })).body;
    for (let i = 0; i < 5; i++) {
      const { application } = (await backend.fetch('/api/applications', { method: 'POST', token, body: { name: `App ${i}` } })).body;
      await backend.fetch(`/api/applications/${application.id}/integrations/stripe`, { method: 'PUT', token, body: { apiKey: stripe.createKey() } });
    }
    const statusBody = JSON.stringify((await backend.fetch('/api/status', { token })).body);
    bare = await bareServer(statusBody);
    const bareUrl = `${bare.url}/api/status`;
    const ours = `${backend.url}/api/status`;
    const headers = { authorization: `Bearer ${token}` };

    await load(ours, headers, 2); // warm-up: JIT, statements, pages, connections
    await load(bareUrl, {}, 1);
    const oursRuns: Load[] = [];
    const bareRuns: Load[] = [];
    // Interleaved, so that a stretch where the shared machine runs slow weighs on both alike.
    for (let round = 0; round < ROUNDS; round++) {
      oursRuns.push(await load(ours, headers, SECONDS));
      bareRuns.push(await load(bareUrl, {}, SECONDS));
    }
    const rps = median(oursRuns.map((r) => r.rps));
    const p99 = median(oursRuns.map((r) => r.p99Ms));
    const rss = residentMiB(backend.child.pid!);
    await backend.logWritten();
    const logged = countRequestLines(logFile);
    const label = database.label;
    const rounds = `median of ${ROUNDS} × ${SECONDS} s, ${CONNECTIONS} connections`;
    return [
      { name: `${label}: GET /api/status (${rounds})`, value: Math.round(rps), unit: 'req/s', target: '≥ 1,000 req/s', ok: rps >= 1000 },
      { name: `${label}: GET /api/status, 99th-percentile latency`, value: round(p99, 1), unit: 'ms', target: '≤ 50 ms', ok: p99 <= 50 },
      { name: `${label}: bare node:http answering the same body`, value: Math.round(median(bareRuns.map((r) => r.rps))), unit: 'req/s' },
      { name: `${label}: bare node:http, 99th-percentile latency`, value: round(median(bareRuns.map((r) => r.p99Ms)), 1), unit: 'ms' },
      { name: `${label}: request lines the server logged (set-up, warm-up and rounds)`, value: logged, unit: 'lines' },
      { name: `${label}: server resident memory after the load`, value: round(rss, 1), unit: 'MiB', target: '≤ 120 MiB', ok: rss <= 120 },
    ];
  } finally {
    bare?.close();
    await backend.stop();
    await stripe.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(logFile, { force: true });
  }
}

/** The server's request log lines in `file`, counted line by line. */
function countRequestLines(file: string): number {
  let n = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) if (line.includes('"msg":"request"')) n++;
  return n;
}

/** `npm run serve` on a data dir that exists (a restart), until /api/health answers 200. */
async function startup(): Promise<BenchResult[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-bench-'));
  try {
    const first = await serveUntilHealthy(dataDir); // creates the database and master.key
    const times: number[] = [];
    for (let i = 0; i < STARTS; i++) times.push(await serveUntilHealthy(dataDir));
    const ms = median(times);
    return [
      { name: 'npm run serve until /api/health answers, first start (new data dir)', value: Math.round(first), unit: 'ms' },
      { name: `npm run serve until /api/health answers (median of ${STARTS} restarts)`, value: Math.round(ms), unit: 'ms', target: '≤ 700 ms', ok: ms <= 700 },
    ];
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function serveUntilHealthy(dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('npm', ['run', '--silent', 'serve'], {
    env: { ...process.env, SERVAL_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', SERVAL_RECHECK_INTERVAL_MINUTES: '0' },
    stdio: 'ignore',
    detached: true,
  });
  try {
    for (;;) {
      const healthy = await new Promise<boolean>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/api/health' }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('error', () => resolve(false));
      });
      if (healthy) return performance.now() - started;
      if (performance.now() - started > 20_000) throw new Error('the server did not answer within 20 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM'); // npm and the server it started
    await new Promise((r) => child.once('exit', r));
  }
}

type Load = { rps: number; p99Ms: number };

/** Requests per second and 99th-percentile latency against `url` for `seconds`. */
async function load(url: string, headers: Record<string, string>, seconds: number): Promise<Load> {
  if (!hasWrk) {
    const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
    if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { rps: result.requests.average, p99Ms: result.latency.p99 };
  }
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
  });
  if (/Non-2xx/.test(output)) throw new Error(`${url}: non-2xx answers under load:\n${output}`);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(output);
  if (!p99) throw new Error(`wrk printed no 99th percentile:\n${output}`);
  const toMs = { us: 0.001, ms: 1, s: 1000 }[p99[2] as 'us' | 'ms' | 's'];
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)![1]), p99Ms: Number(p99[1]) * toMs };
}

/** The baseline: node:http answering the very body GET /api/status answered, in a process of its own. */
async function bareServer(body: string): Promise<{ url: string; close(): void }> {
  const script = `const http = require('node:http');
const body = process.env.BODY;
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, BODY: body }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
  return { url: `http://127.0.0.1:${port}`, close: () => child.kill() };
}

/** VmRSS of a process, from /proc. */
function residentMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}
