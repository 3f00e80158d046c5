/**
 * Several backend instances on one database, as behind a load balancer: two real processes
 * (server/main.ts) on the same PostgreSQL database — or the same SQLite file, which holds too.
 * Everything that must hold across instances goes through the database.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBackend, type BackendProcess } from './backend-process.js';
import { CLIENT_BRAKE, MAX_CODE_FAILURES } from '../../server/pairing/service.js';
import { dialect, startHarness, type Harness } from './harness.js';

let h: Harness;
let a: BackendProcess;
let b: BackendProcess;
const backends: BackendProcess[] = [];

/** One more instance on the harness's database and test Stripe. */
async function instance(env: Record<string, string> = {}) {
  const backend = await startBackend({ ...h.env, LOG_LEVEL: 'info', ...env });
  backends.push(backend);
  return backend;
}

async function pairOn(backend: BackendProcess, code: string, deviceName = 'Laptop'): Promise<string> {
  const res = await backend.fetch('/api/pair', { method: 'POST', body: { code, deviceName } });
  expect(res.status).toBe(201);
  return res.body.token;
}

beforeAll(async () => {
  h = await startHarness();
  [a, b] = await Promise.all([instance(), instance()]);
});
afterAll(async () => {
  await Promise.all(backends.map((x) => x.stop()));
  await h?.close();
});

describe(`two instances on one ${dialect} database`, () => {
  it('a pairing code printed by one instance pairs on the other, once', async () => {
    const token = await pairOn(b, a.pairingCode);
    expect((await b.fetch('/api/status', { token })).status).toBe(200);
    expect((await a.fetch('/api/status', { token })).status).toBe(200);
    const again = await a.fetch('/api/pair', { method: 'POST', body: { code: a.pairingCode, deviceName: 'Again' } });
    expect(again.body.error.code).toBe('pairing_code_invalid');
  });

  it('failed pairing attempts count across instances: guessing holds however requests are balanced', async () => {
    const attempt = (backend: BackendProcess, c: string) => backend.fetch('/api/pair', { method: 'POST', body: { code: c, deviceName: 'Guess' } });
    await h.sql('delete from pairing_failures'); // a clean slate for this client (127.0.0.1)
    // Wrong codes, alternating instances, retire a code that either instance printed.
    const { code } = await h.runtime.pairing.issueCode();
    for (let i = 0; i < MAX_CODE_FAILURES; i++) expect((await attempt(i % 2 ? a : b, 'WRNG-CODE')).status).toBe(401);
    for (const backend of [a, b]) expect((await attempt(backend, code)).body.error.message).toMatch(/retired/);
    // And the flood brake counts one client's failures on both instances together.
    for (let i = MAX_CODE_FAILURES + 2; i < CLIENT_BRAKE.maxFailures; i++) expect((await attempt(i % 2 ? a : b, 'WRNG-CODE')).status).toBe(401);
    const { code: fresh } = await h.runtime.pairing.issueCode();
    for (const backend of [a, b]) {
      const limited = await attempt(backend, fresh);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('pairing_rate_limited');
      expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    }
    await h.sql('delete from pairing_failures'); // as a minute passing would
    expect((await attempt(b, fresh)).status).toBe(201);
  });

  it('a device revoked on one instance is refused on the other at once', async () => {
    const { code: first } = await h.runtime.pairing.issueCode();
    const { code: second } = await h.runtime.pairing.issueCode();
    const admin = await pairOn(a, first, 'Admin');
    const lost = await pairOn(b, second, 'Lost laptop');
    expect((await a.fetch('/api/status', { token: lost })).status).toBe(200);
    const lostId = (await b.fetch('/api/status', { token: lost })).body.device.id;
    expect((await a.fetch(`/api/devices/${lostId}`, { method: 'DELETE', token: admin })).status).toBe(204);
    for (const backend of [b, a]) {
      const res = await backend.fetch('/api/applications', { token: lost });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
  });

  it("a key replaced or removed through one instance is never used again by the other's cached Stripe client", async () => {
    const { code } = await h.runtime.pairing.issueCode();
    const token = await pairOn(a, code, 'Workflows');
    const appId = (await a.fetch('/api/applications', { method: 'POST', token, body: { name: 'Billing' } })).body.application.id;
    const first = h.stripe.createKey({ type: 'restricted' });
    expect((await a.fetch(`/api/applications/${appId}/integrations/stripe`, { method: 'PUT', token, body: { apiKey: first } })).status).toBe(200);
    const charges = () => a.fetch(`/api/applications/${appId}/stripe/charges?limit=1`, { token });
    const keysStripeSaw = () => h.stripe.requests.map((r) => r.headers.authorization);

    h.stripe.resetRequests();
    expect((await charges()).status).toBe(200); // instance A now caches a client for the first key
    expect(keysStripeSaw()).toEqual([`Bearer ${first}`]);

    const second = h.stripe.createKey({ type: 'restricted' });
    expect((await b.fetch(`/api/applications/${appId}/integrations/stripe`, { method: 'PUT', token, body: { apiKey: second } })).status).toBe(200);
    h.stripe.resetRequests();
    expect((await charges()).status).toBe(200);
    expect(keysStripeSaw()).toEqual([`Bearer ${second}`]);

    expect((await b.fetch(`/api/applications/${appId}/integrations/stripe`, { method: 'DELETE', token })).status).toBe(204);
    h.stripe.resetRequests();
    const gone = await charges();
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('integration_not_found');
    expect(keysStripeSaw()).toEqual([]);
  });

  it('GET /api/status on one instance is current after every write through the other (nothing stale is served)', async () => {
    const { code } = await h.runtime.pairing.issueCode();
    const token = await pairOn(a, code, 'Status');
    const status = async () =>
      (await b.fetch('/api/status', { token })).body as { applications: number; integrations: { connected: number; needsAttention: number } };
    const before = await status();
    const appId = (await a.fetch('/api/applications', { method: 'POST', token, body: { name: 'Counted' } })).body.application.id;
    expect((await status()).applications).toBe(before.applications + 1);
    const key = h.stripe.createKey({ type: 'restricted' });
    await a.fetch(`/api/applications/${appId}/integrations/stripe`, { method: 'PUT', token, body: { apiKey: key } });
    expect((await status()).integrations.connected).toBe(before.integrations.connected + 1);
    h.stripe.deleteKey(key);
    await a.fetch(`/api/applications/${appId}/integrations/stripe/validate`, { method: 'POST', token });
    expect((await status()).integrations).toMatchObject({ connected: before.integrations.connected, needsAttention: before.integrations.needsAttention + 1 });
    await a.fetch(`/api/applications/${appId}/integrations/stripe`, { method: 'DELETE', token });
    expect((await status()).integrations).toEqual(before.integrations);
    await a.fetch(`/api/applications/${appId}`, { method: 'DELETE', token });
    expect(await status()).toMatchObject({ applications: before.applications, integrations: before.integrations });
  });

  it('a replace through one instance racing a delete through the other: the key never outlives its application', async () => {
    const { code } = await h.runtime.pairing.issueCode();
    const token = await pairOn(a, code, 'Racer');
    for (let round = 0; round < 4; round++) {
      const appId = (await a.fetch('/api/applications', { method: 'POST', token, body: { name: `Race ${round}` } })).body.application.id;
      const key = h.stripe.createKey();
      const release = h.stripe.hold();
      try {
        let putAnswered = false;
        const put = a.fetch(`/api/applications/${appId}/integrations/stripe`, { method: 'PUT', token, body: { apiKey: key } }).finally(() => {
          putAnswered = true;
        });
        const remove = () => b.fetch(`/api/applications/${appId}`, { method: 'DELETE', token });
        // The replace is under way: Stripe has its key and answers nothing yet.
        await vi.waitFor(() => expect(h.stripe.requests.some((r) => r.headers.authorization === `Bearer ${key}`)).toBe(true));
        if (round % 2 === 0) {
          // The delete comes and goes while the key is being checked; the replace then finds no application.
          const deleted = await remove();
          expect(deleted.status).toBe(204);
          expect(putAnswered).toBe(false);
          release();
          const putRes = await put;
          expect(putRes.status).toBe(404);
          expect(putRes.body.error.code).toBe('application_not_found');
        } else {
          // The delete goes out as Stripe answers: it meets the replace as the replace stores the key.
          release();
          const deleting = remove();
          expect(putAnswered).toBe(false);
          const [putRes, delRes] = await Promise.all([put, deleting]);
          expect(delRes.status).toBe(204);
          expect([200, 404]).toContain(putRes.status);
          if (putRes.status === 404) expect(putRes.body.error.code).toBe('application_not_found');
        }
      } finally {
        release();
      }
      expect(await h.sql('select application_id from stripe_integrations where application_id = ?', [appId])).toEqual([]);
    }
    await h.checkIntegrity();
  });
});

describe(`console sessions across instances (${dialect})`, () => {
  /** Signs the console in through `backend` with a code for the person: both halves of the session. */
  async function signInOn(backend: BackendProcess, personId?: string): Promise<{ id: string; headers: Record<string, string> }> {
    const { code } = await h.runtime.pairing.issueCode(personId);
    const res = await fetch(`${backend.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { secret: string; session: { id: string } };
    const cookie = /^(serval_session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
    return { id: body.session.id, headers: { Cookie: cookie, 'X-Serval-Session': body.secret } };
  }
  /** A request with the session, to `backend`; `origin` for a change (the instance's own, as the console's). */
  async function withSession(backend: BackendProcess, path: string, session: { headers: Record<string, string> }, method = 'GET') {
    const res = await fetch(`${backend.url}${path}`, { method, headers: { ...session.headers, ...(method === 'GET' ? {} : { Origin: backend.url }) } });
    return { status: res.status, body: (await res.text()) || null };
  }

  it('a session signed out, or revoked from the list, through one instance is refused by the other at once', async () => {
    const signedOut = await signInOn(a);
    const listed = await signInOn(b);
    for (const backend of [a, b]) {
      expect((await withSession(backend, '/api/status', signedOut)).status).toBe(200);
      expect((await withSession(backend, '/api/status', listed)).status).toBe(200);
    }
    expect((await withSession(a, '/api/session', signedOut, 'DELETE')).status).toBe(204);
    expect((await withSession(b, '/api/status', signedOut)).status).toBe(401);
    expect((await withSession(b, `/api/sessions/${listed.id}`, signedOut, 'DELETE')).status).toBe(401); // signed out is signed out
    const admin = await signInOn(b);
    expect((await withSession(b, `/api/sessions/${listed.id}`, admin, 'DELETE')).status).toBe(204);
    for (const backend of [a, b]) expect((await withSession(backend, '/api/status', listed)).status).toBe(401);
  });

  it('a person disabled through one instance: their session is refused by the other at once', async () => {
    const adminToken = await pairOn(a, (await h.runtime.pairing.issueCode()).code, 'Admin');
    const created = await a.fetch('/api/people', { method: 'POST', token: adminToken, body: { name: 'Leaver', role: 'member' } });
    expect(created.status).toBe(201);
    const leaver = await signInOn(a, created.body.person.id);
    expect((await withSession(b, '/api/status', leaver)).status).toBe(200);
    const disabled = await b.fetch(`/api/people/${created.body.person.id}`, { method: 'PATCH', token: adminToken, body: { disabled: true } });
    expect(disabled.status).toBe(200);
    for (const backend of [a, b]) {
      const res = await withSession(backend, '/api/status', leaver);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body!).error.code).toBe('unauthorized');
    }
  });
});

describe(`the scheduled re-check across instances (${dialect})`, () => {
  it('each due integration is checked by one instance, not once per instance', { timeout: 60_000 }, async () => {
    // Two more instances with the schedule on: a 12 s interval, so they tick every 3 s — and a key
    // checked early is not due again before the last one is checked at the re-checks' pace (10
    // requests to an account in any 1.1 s after their answers: the eight keys take about 6 s).
    const [c, d] = await Promise.all([instance({ SERVAL_RECHECK_INTERVAL_MINUTES: '0.2' }), instance({ SERVAL_RECHECK_INTERVAL_MINUTES: '0.2' })]);
    const { code } = await h.runtime.pairing.issueCode();
    const token = await pairOn(c, code, 'Scheduler');
    const keys: string[] = [];
    for (let i = 0; i < 8; i++) {
      const appId = (await c.fetch('/api/applications', { method: 'POST', token, body: { name: `Due ${i}` } })).body.application.id;
      const key = h.stripe.createKey({ type: 'restricted' });
      keys.push(key);
      expect((await d.fetch(`/api/applications/${appId}/integrations/stripe`, { method: 'PUT', token, body: { apiKey: key } })).status).toBe(200);
    }
    // Make every integration due now, as if last checked long ago. Stripe answers slowly, so a
    // round of checks (8 × 6 requests, 150 ms each) outlasts the next tick of the other instance.
    h.stripe.setLatency(150);
    h.stripe.resetRequests();
    await h.sql("update stripe_integrations set last_validated_at = '2000-01-01T00:00:00.000Z', recheck_lease_until = null");
    await vi.waitFor(async () => expect(await h.sql("select application_id from stripe_integrations where last_validated_at < '2001'")).toEqual([]), {
      timeout: 20_000,
      interval: 100,
    });
    h.stripe.setLatency(0);
    // Each key's permission probe for Balance: Read ran exactly once (the next round is due 12 s later).
    const balanceProbes = (key: string) => h.stripe.requests.filter((r) => r.path === '/v1/balance' && r.headers.authorization === `Bearer ${key}`).length;
    expect(keys.map(balanceProbes)).toEqual(keys.map(() => 1));
    await Promise.all([c.logWritten(), d.logWritten()]);
    const rounds = [c, d].map((x) =>
      x
        .output()
        .stdout.split('\n')
        .filter((l) => l.includes('scheduled re-check done')),
    );
    const checked = rounds.flat().reduce((n, line) => n + (JSON.parse(line) as { checked: number }).checked, 0);
    const stored = await h.sql('select application_id from stripe_integrations');
    expect(checked).toBe(stored.length); // each once: the eight, and any an earlier test left
  });

  it('instances starting at the same moment on a new database both come up', { timeout: 60_000 }, async () => {
    const fresh = await startHarness();
    try {
      const together = await Promise.all([1, 2, 3].map(() => startBackend({ ...fresh.env })));
      backends.push(...together);
      for (const backend of together) expect((await backend.fetch('/api/health')).body.status).toBe('ok');
      const token = await pairOn(together[2], together[0].pairingCode, 'First');
      expect((await together[1].fetch('/api/status', { token })).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});
