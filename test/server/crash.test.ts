/**
 * Crash safety: the real server process takes keys from concurrent clients and is killed with
 * SIGKILL mid-stream, then started again on the same data — a few rounds. Every key it
 * acknowledged (200) is there afterwards and still opens; the database stays sound.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBackend, type BackendProcess } from './backend-process.js';
import { dialect, startHarness, type Harness } from './harness.js';

let h: Harness;
let backend: BackendProcess | undefined;
beforeAll(async () => {
  h = await startHarness();
  await h.runtime.close(); // the real process owns the data from here
});
afterAll(async () => {
  await backend?.stop();
  await h.close();
});

it(`every acknowledged key survives SIGKILL mid-stream, round after round (${dialect})`, { timeout: 90_000 }, async () => {
  const acknowledged = new Map<string, string>();
  let token = '';
  for (let round = 0; round < 3; round++) {
    backend = await startBackend({ ...h.env });
    if (!token) token = (await backend.fetch('/api/pair', { method: 'POST', body: { code: backend.pairingCode, deviceName: 'Crash' } })).body.token;
    const server = backend;
    // Eight clients submit keys as fast as the server takes them; the kill lands while they do.
    let killed = false;
    const client = async () => {
      while (!killed) {
        try {
          const app = await server.fetch('/api/applications', { method: 'POST', token, body: { name: `Round ${round}` } });
          if (app.status !== 201) continue;
          const apiKey = h.stripe.createKey({ type: 'restricted' });
          const id = app.body.application.id;
          const put = await server.fetch(`/api/applications/${id}/integrations/stripe`, { method: 'PUT', token, body: { apiKey } });
          if (put.status === 200) acknowledged.set(id, apiKey);
        } catch {
          return; // the connection died with the process
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    const target = acknowledged.size + 15;
    while (acknowledged.size < target) await new Promise((r) => setTimeout(r, 5));
    server.child.kill('SIGKILL');
    killed = true;
    await Promise.all(clients);
    expect(await server.exited).toBeNull(); // killed, not exited
  }

  // Started again: every acknowledged key is there, as the same key, and the database is sound.
  backend = await startBackend({ ...h.env });
  for (const [id, apiKey] of acknowledged) {
    const res = await backend.fetch(`/api/applications/${id}/integrations/stripe`, { token });
    expect(res.status, id).toBe(200);
    expect(res.body.integration.maskedKey).toBe(`rk_test_…${apiKey.slice(-4)}`);
  }
  await backend.stop();
  await h.restart();
  for (const [id, apiKey] of acknowledged) expect((await h.runtime.integrations.openKey(id)).apiKey).toBe(apiKey);
  await h.checkIntegrity();
  expect(acknowledged.size).toBeGreaterThanOrEqual(45);
});
