/**
 * The real backend, started the way the README says as a child process: `npm start` is
 * `npm run build && npm run serve`; the global setup has done the build, and this runs serve's
 * command, `node dist/server/main.cjs` (the production bundle), directly (so SIGTERM reaches the
 * server, not npm).
 * A free port (PORT=0: the server prints the one it got), a temporary data dir, STRIPE_API_BASE
 * pointed at the in-process Stripe-compatible test server. The pairing code is read from stderr,
 * where the server prints it when stdout is not a terminal.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { logBarrier } from '../server/log-barrier.js';
import { startStripeServer, type StripeTestServer } from '../stripe-server/index.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const PAIRING_CODE = /Pairing code: ([A-Z0-9]{4}-[A-Z0-9]{4})/;
const LISTENING = /listening on (http:\/\/\S+)/;

export type ApiResponse<T = any> = { status: number; body: T; text: string };

export type Backend = {
  /** `http://127.0.0.1:<port>` */
  url: string;
  dataDir: string;
  /** The code printed at start-up (single use: the options page test spends it). */
  printedPairingCode: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Waits until every line logged before this call has reached `output()` (test/server/log-barrier.ts). */
  logWritten(): Promise<void>;
  /** A fresh code from `npm run pair` on the same data dir. */
  newPairingCode(): Promise<string>;
  /** Pairs a device through `POST /api/pair` and returns its token. */
  pairDevice(deviceName: string): Promise<{ token: string; deviceId: string }>;
  /** Calls the REST API; `token` is sent as the bearer token. */
  api<T = any>(method: string, apiPath: string, options?: { token?: string; body?: unknown }): Promise<ApiResponse<T>>;
  /** Every API response body this helper received, to prove no key ever came back. */
  responses: string[];
  stop(): Promise<void>;
};

export type BackendOptions = { stripeApiBase: string; env?: Record<string, string> };

const run = promisify(execFile);

function npmCommand(): string {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

export async function startBackend(options: BackendOptions): Promise<Backend> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-e2e-data-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0', // the server reports the port it got
    HOST: '127.0.0.1',
    SERVAL_DATA_DIR: dataDir,
    STRIPE_API_BASE: options.stripeApiBase,
    STRIPE_TIMEOUT_MS: '10000',
    STRIPE_MAX_RETRIES: '0',
    SERVAL_RECHECK_INTERVAL_MINUTES: '0',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  delete env.SERVAL_MASTER_KEY; // a generated master.key in the temp dir

  const child: ChildProcess = spawn(process.execPath, ['dist/server/main.cjs'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const cleanup = () => fs.rmSync(dataDir, { recursive: true, force: true });

  let url: string;
  let printedPairingCode: string;
  try {
    [url, printedPairingCode] = await new Promise<[string, string]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The backend did not print its pairing code within ${START_TIMEOUT_MS} ms.\n${output}`)),
        START_TIMEOUT_MS,
      );
      const check = () => {
        const listening = LISTENING.exec(output);
        const code = PAIRING_CODE.exec(output);
        if (listening && code) {
          clearTimeout(timer);
          resolve([listening[1].replace(/\/$/, ''), code[1]]);
        }
      };
      // The URL is on stdout; the code on stderr, since stdout (a pipe) is the log (server/main.ts).
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`The backend exited (code ${code}) before it was ready.\n${output}`));
      });
      check();
    });
  } catch (error) {
    child.kill('SIGKILL');
    cleanup();
    throw error;
  }

  const responses: string[] = [];

  async function api<T = any>(method: string, apiPath: string, init: { token?: string; body?: unknown } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    const res = await fetch(`${url}${apiPath}`, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    responses.push(text);
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: res.status, body, text };
  }

  async function newPairingCode(): Promise<string> {
    const { stdout } = await run(npmCommand(), ['run', '--silent', 'pair'], {
      cwd: REPO_ROOT,
      env: { ...env, PORT: '' },
      timeout: START_TIMEOUT_MS,
    });
    const code = PAIRING_CODE.exec(stdout)?.[1];
    if (!code) throw new Error(`\`npm run pair\` printed no pairing code:\n${stdout}`);
    return code;
  }

  let stopped = false;
  return {
    url,
    dataDir,
    printedPairingCode,
    responses,
    output: () => output,
    logWritten: logBarrier(url, () => output),
    api,
    newPairingCode,
    async pairDevice(deviceName) {
      const code = await newPairingCode();
      const res = await api('POST', '/api/pair', { body: { code, deviceName } });
      if (res.status !== 201) throw new Error(`POST /api/pair answered ${res.status}: ${res.text}`);
      return { token: res.body.token as string, deviceId: res.body.device.id as string };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    },
  };
}

/** The real backend and the Stripe-compatible test server it checks keys against: what every e2e file starts. */
export type BackendWithStripe = { stripe: StripeTestServer; backend: Backend; stop(): Promise<void> };

export async function startBackendWithStripe(env: Record<string, string> = {}): Promise<BackendWithStripe> {
  const stripe = await startStripeServer({ port: 0 });
  try {
    const backend = await startBackend({ stripeApiBase: stripe.url, env });
    return {
      stripe,
      backend,
      async stop() {
        await backend.stop();
        await stripe.close();
      },
    };
  } catch (error) {
    await stripe.close();
    throw error;
  }
}

/**
 * Creates the named applications through the REST API with a paired device's token, each
 * connected to `stripeKey` (source api) when one is given: several applications on one key is
 * where a rotation starts. Returns their ids by name.
 */
export async function createApplications<Name extends string>(
  backend: Backend,
  token: string,
  names: readonly Name[],
  options: { stripeKey?: string } = {},
): Promise<Record<Name, string>> {
  const ids = {} as Record<Name, string>;
  for (const name of names) {
    const created = await backend.api('POST', '/api/applications', { token, body: { name } });
    if (created.status !== 201) throw new Error(`POST /api/applications (${name}) answered ${created.status}: ${created.text}`);
    ids[name] = created.body.application.id;
    if (options.stripeKey === undefined) continue;
    const connected = await backend.api('PUT', `/api/applications/${ids[name]}/integrations/stripe`, {
      token,
      body: { apiKey: options.stripeKey, source: 'api' },
    });
    if (connected.status !== 200) throw new Error(`PUT the Stripe integration of ${name} answered ${connected.status}: ${connected.text}`);
  }
  return ids;
}
