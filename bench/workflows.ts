/**
 * What our backend adds to a Stripe workflow: `GET /api/applications/:id/stripe/charges?limit=10`
 * through the real server (auth, validation, the cached stripe-node client, JSON passed back)
 * versus the same `GET /v1/charges?limit=10` sent straight to the test Stripe server. Both over
 * real HTTP with keep-alive, interleaved so that drift hits both alike. Target: median overhead ≤ 2 ms.
 */
import { serve } from '@hono/node-server';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { createRuntime } from '../server/runtime.js';
import { startStripeServer } from '../test/stripe-server/index.js';
import { median, round, type BenchResult } from './stats.js';

const N = 300;
const WARM_UP = 50;
const QUERY = 'limit=10';
const TARGET_MS = 2;

export async function benchWorkflows(): Promise<BenchResult[]> {
  const stripe = await startStripeServer({ port: 0, recordRequests: false });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-bench-'));
  const runtime = await createRuntime(
    loadConfig({ SERVAL_DATA_DIR: dataDir, STRIPE_API_BASE: stripe.url, SERVAL_RECHECK_INTERVAL_MINUTES: '0', STRIPE_MAX_RETRIES: '0', LOG_LEVEL: 'silent' }),
    { logger: createLogger({ level: 'silent' }) },
  );
  const server = serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    stripe.seed(stripe.defaultAccountId, { customers: 5, charges: 40 });
    const apiKey = stripe.createKey({ type: 'restricted' });
    const { code } = await runtime.pairing.issueCode();
    const { token } = await json<{ token: string }>(await fetch(`${base}/api/pair`, post({ code, deviceName: 'bench' })));
    const auth = { Authorization: `Bearer ${token}` };
    const { application } = await json<{ application: { id: string } }>(await fetch(`${base}/api/applications`, post({ name: 'Bench' }, auth)));
    const connected = await fetch(`${base}/api/applications/${application.id}/integrations/stripe`, { ...post({ apiKey }, auth), method: 'PUT' });
    if (connected.status !== 200) throw new Error(`connecting the key failed: ${connected.status} ${await connected.text()}`);
    await connected.arrayBuffer();

    const ours = timed(`${base}/api/applications/${application.id}/stripe/charges?${QUERY}`, auth);
    const direct = timed(`${stripe.url}/v1/charges?${QUERY}`, { Authorization: `Bearer ${apiKey}` });

    for (let i = 0; i < WARM_UP; i++) {
      await ours();
      await direct();
    }
    const oursMs: number[] = [];
    const directMs: number[] = [];
    const pairedMs: number[] = [];
    for (let i = 0; i < N; i++) {
      // Alternate which goes first, so neither always gets the warmer connection or the GC pause.
      let o: number;
      let d: number;
      if (i % 2) {
        o = await ours();
        d = await direct();
      } else {
        d = await direct();
        o = await ours();
      }
      oursMs.push(o);
      directMs.push(d);
      pairedMs.push(o - d);
    }
    const overhead = median(oursMs) - median(directMs);
    return [
      { name: `GET …/stripe/charges?${QUERY} through Serval (median of ${N})`, value: round(median(oursMs), 3), unit: 'ms' },
      { name: `GET /v1/charges?${QUERY} straight to the test Stripe (median of ${N})`, value: round(median(directMs), 3), unit: 'ms' },
      { name: 'Workflow overhead: difference of the medians', value: round(overhead, 3), unit: 'ms', target: `≤ ${TARGET_MS} ms`, ok: overhead <= TARGET_MS },
      { name: 'Workflow overhead: median of paired differences', value: round(median(pairedMs), 3), unit: 'ms' },
    ];
  } finally {
    server.close();
    await runtime.close();
    await stripe.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One GET, timed from sending to the last byte of a 200 body. */
function timed(url: string, headers: Record<string, string>): () => Promise<number> {
  return async () => {
    const started = performance.now();
    const res = await fetch(url, { headers });
    const body = await res.arrayBuffer();
    const elapsed = performance.now() - started;
    if (res.status !== 200 || body.byteLength === 0) throw new Error(`GET ${url.replace(/\?.*/, '')} → ${res.status}`);
    return elapsed;
  };
}

function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
