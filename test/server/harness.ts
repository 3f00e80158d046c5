/**
 * Builds the real backend for a test: a real SQLite file in a temporary data dir, the real stripe
 * SDK talking HTTP to the Stripe-compatible test server, logs captured in memory. Every response
 * body is kept so a test can prove no key ever came back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { loadConfig, type Config } from '../../server/config.js';
import { createMemoryLogger } from '../../server/logger.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { startStripeServer, type StripeTestServer } from '../stripe-server/index.js';

export type ApiResponse<T = any> = { status: number; body: T; headers: Headers };

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function startHarness(options: { env?: Record<string, string>; now?: () => Date } = {}) {
  const stripe = await startStripeServer({ port: 0 });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-test-'));
  const env = {
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
  let runtime: Runtime = createRuntime(config, { logger, now: options.now });
  const responses: string[] = [];

  async function request<T = any>(method: string, url: string, init: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
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

    /** Pairs a device (the harness's default token) the way the extension does. */
    async pair(deviceName = 'Test browser'): Promise<string> {
      const { code } = runtime.pairing.issueCode();
      const res = await request('POST', '/api/pair', { body: { code, deviceName }, token: null });
      expect(res.status).toBe(201);
      harness.token ??= res.body.token;
      return res.body.token;
    },

    async createApplication(name = 'Billing'): Promise<string> {
      const res = await request('POST', '/api/applications', { body: { name } });
      expect(res.status).toBe(201);
      return res.body.application.id;
    },

    /** A new backend on the same data dir, as after a restart. */
    restart(extraEnv: Record<string, string> = {}) {
      runtime.close();
      runtime = createRuntime(loadConfig({ ...env, ...extraEnv }), { logger, now: options.now });
    },

    /** Everything our side wrote or said: database files (with -wal/-shm), logs, responses. */
    exposedText(): string {
      const files = fs.readdirSync(dataDir).map((f) => fs.readFileSync(path.join(dataDir, f)).toString('latin1'));
      return [...files, ...logLines, ...responses].join('\n');
    },

    assertNeverExposed(keys: string[]) {
      // Checkpointing moves WAL pages into the main file: check both states.
      const before = harness.exposedText();
      runtime.database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      const after = harness.exposedText();
      for (const key of keys) {
        expect(before.includes(key), `key ${key.slice(0, 12)}… exposed`).toBe(false);
        expect(after.includes(key), `key ${key.slice(0, 12)}… exposed after checkpoint`).toBe(false);
      }
    },

    async close() {
      runtime.close();
      await stripe.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

export function randomMasterKey(): string {
  return randomBytes(32).toString('base64');
}
