/**
 * Console sessions over their life: listed beside the devices (one's own; an admin sees
 * everyone's), revoked from the list (one's own by anyone, another's by an admin only), ended at
 * once when their person is disabled, and expired — after SERVAL_SESSION_IDLE_MINUTES without a
 * request, and SERVAL_SESSION_MAX_HOURS after sign-in however busy. The credential itself is
 * never stored, logged or audited.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSession, CHROME_LINUX, ORIGIN, signIn } from './console-sign-in.js';
import { startHarness, type Harness } from './harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the session list', () => {
  let h: Harness;
  let member: { person: { id: string }; token: string };
  beforeAll(async () => {
    h = await startHarness();
    await h.pair('Admin laptop');
    member = await h.personWithDevice('member', { name: 'Mia' });
  });
  afterAll(async () => {
    await h.close();
  });

  it("lists one's own live sessions with `current`; an admin sees everyone's; never a credential", async () => {
    const mine = await signIn(h, { personId: member.person.id });
    const mineToo = await signIn(h, { personId: member.person.id });
    const admins = await signIn(h);
    const list = await h.get('/api/sessions', asSession(mine));
    expect(list.status).toBe(200);
    expect(list.body.sessions).toEqual([
      {
        id: mine.sessionId,
        person: { id: member.person.id, name: 'Mia' },
        method: 'code',
        userAgent: CHROME_LINUX,
        createdAt: expect.any(String),
        lastSeenAt: expect.any(String),
        expiresAt: mine.body.session.expiresAt,
        current: true,
      },
      expect.objectContaining({ id: mineToo.sessionId, current: false }),
    ]);
    const text = JSON.stringify(list.body);
    for (const secret of [mine.secret, mine.cookieValue, sha256(mine.secret), sha256(mine.cookieValue)]) expect(text).not.toContain(secret);
    // A member's device sees the member's sessions too (none is current: a device is asking).
    expect((await h.get('/api/sessions', { token: member.token })).body.sessions.map((s: any) => [s.id, s.current])).toEqual([
      [mine.sessionId, false],
      [mineToo.sessionId, false],
    ]);
    // The admin sees everyone's, each with its person.
    const all = (await h.get('/api/sessions', asSession(admins))).body.sessions;
    expect(all.map((s: any) => s.id)).toEqual(expect.arrayContaining([mine.sessionId, mineToo.sessionId, admins.sessionId]));
    expect(all.find((s: any) => s.id === admins.sessionId)).toMatchObject({ person: { name: 'Owner' }, current: true });
  });

  it("revokes from the list: one's own by anyone; another's is 403 for a member and 204 for an admin; revoked means refused at once", async () => {
    const own = await signIn(h, { personId: member.person.id });
    const othersSession = await signIn(h);
    const adminSession = await signIn(h);
    const memberSession = await signIn(h, { personId: member.person.id });

    const refused = await h.del(`/api/sessions/${othersSession.sessionId}`, { token: member.token });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/^Only an admin can/) });
    expect((await h.get('/api/status', asSession(othersSession))).status).toBe(200); // untouched

    expect((await h.del(`/api/sessions/${own.sessionId}`, asSession(memberSession, { Origin: ORIGIN }))).status).toBe(204);
    expect((await h.get('/api/status', asSession(own))).status).toBe(401);
    expect((await h.get('/api/status', asSession(memberSession))).status).toBe(200);

    expect((await h.del(`/api/sessions/${memberSession.sessionId}`, asSession(adminSession, { Origin: ORIGIN }))).status).toBe(204);
    expect((await h.get('/api/status', asSession(memberSession))).status).toBe(401);
    expect((await h.get('/api/sessions', asSession(adminSession))).body.sessions.map((s: any) => s.id)).not.toContain(memberSession.sessionId);

    const again = await h.del(`/api/sessions/${memberSession.sessionId}`, asSession(adminSession, { Origin: ORIGIN }));
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('session_not_found');
  });

  it('revoking the session one is using signs this browser out', async () => {
    const s = await signIn(h);
    const res = await h.del(`/api/sessions/${s.sessionId}`, asSession(s, { Origin: ORIGIN }));
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/^serval_session=;.*Max-Age=0/i);
    expect((await h.get('/api/status', asSession(s))).status).toBe(401);
  });

  it('bad ids: unknown is 404 session_not_found, malformed is 400; nothing changes', async () => {
    const s = await signIn(h);
    const unknown = await h.del('/api/sessions/ses_doesnotexist000000', asSession(s, { Origin: ORIGIN }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('session_not_found');
    const malformed = await h.del(`/api/sessions/${encodeURIComponent('ses_x;drop')}`, asSession(s, { Origin: ORIGIN }));
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('validation_failed');
    expect((await h.get('/api/status', asSession(s))).status).toBe(200);
  });

  it("a disabled person's sessions are refused at once, and enabling them again does not bring them back", async () => {
    const viewer = await h.personWithDevice('viewer', { name: 'Vic' });
    const s = await signIn(h, { personId: viewer.person.id });
    expect((await h.get('/api/status', asSession(s))).body.person).toMatchObject({ name: 'Vic', role: 'viewer' });
    expect((await h.patch(`/api/people/${viewer.person.id}`, { disabled: true })).status).toBe(200);
    const refused = await h.get('/api/status', asSession(s));
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthorized');
    expect((await h.patch(`/api/people/${viewer.person.id}`, { disabled: false })).status).toBe(200);
    expect((await h.get('/api/status', asSession(s))).status).toBe(401);
  });

  it('sign-in and revocation are audited with the person; the store keeps only digests; logs name ids, never a credential', async () => {
    const s = await signIn(h, { personId: member.person.id });
    expect((await h.get('/api/applications', asSession(s))).status).toBe(200);
    expect((await h.del('/api/session', asSession(s, { Origin: ORIGIN }))).status).toBe(204);
    const events = (await h.get('/api/audit?limit=200')).body.events as any[];
    const mine = events.filter((e) => e.detail.sessionId === s.sessionId);
    expect(mine.map((e) => [e.action, e.person, e.deviceId])).toEqual([
      ['session.revoked', { id: member.person.id, name: 'Mia' }, null],
      ['session.started', { id: member.person.id, name: 'Mia' }, null],
    ]);
    expect(mine[1].detail).toEqual({ sessionId: s.sessionId, method: 'code' });

    const [row] = await h.sql<Record<string, unknown>>('select * from sessions where id = ?', [s.sessionId]);
    expect(Object.values(row)).toEqual(expect.arrayContaining([sha256(s.cookieValue), sha256(s.secret)]));
    const line = h.logLines.find((l) => l.includes('"path":"/api/applications"') && l.includes(s.sessionId));
    expect(line).toContain(`"personId":"${member.person.id}"`);
    // Everything stored or logged — the database's files, our log lines — holds neither half.
    const stored = (await h.exposed()).filter((f) => !f.name.startsWith('log/response'));
    const holding = stored.filter((f) => f.bytes.includes(Buffer.from(s.cookieValue)) || f.bytes.includes(Buffer.from(s.secret)));
    expect(holding.map((f) => f.name)).toEqual([]);
    expect(h.logLines.some((l) => l.includes(s.secret) || l.includes(s.cookieValue))).toBe(false);
  });
});

describe('expiry', () => {
  let h: Harness;
  let clock = Date.now();
  const advance = (ms: number) => {
    clock += ms;
  };
  beforeAll(async () => {
    h = await startHarness({ now: () => new Date(clock) });
    await h.pair('Admin laptop');
  });
  afterAll(async () => {
    await h.close();
  });

  it('a session unused for SERVAL_SESSION_IDLE_MINUTES (60) ends; each request keeps it alive', async () => {
    const s = await signIn(h);
    for (let i = 0; i < 3; i++) {
      advance(59 * MINUTE);
      expect((await h.get('/api/status', asSession(s))).status, `after ${(i + 1) * 59} min`).toBe(200);
    }
    advance(60 * MINUTE + 1000);
    const ended = await h.get('/api/status', asSession(s));
    expect(ended.status).toBe(401);
    expect(ended.body.error.message).toBe('Your console session has ended. Sign in again.');
    // Gone from the list, and no longer revocable.
    const admin = await signIn(h);
    expect((await h.get('/api/sessions', asSession(admin))).body.sessions.map((x: any) => x.id)).not.toContain(s.sessionId);
    expect((await h.del(`/api/sessions/${s.sessionId}`, asSession(admin, { Origin: ORIGIN }))).status).toBe(404);
  });

  it('and SERVAL_SESSION_MAX_HOURS (12) after sign-in it ends however busy', async () => {
    const s = await signIn(h);
    const started = clock;
    while (clock + 50 * MINUTE < started + 12 * HOUR) {
      advance(50 * MINUTE);
      expect((await h.get('/api/status', asSession(s))).status).toBe(200);
    }
    advance(started + 12 * HOUR - clock);
    expect((await h.get('/api/status', asSession(s))).status).toBe(401);
    expect(Date.parse(s.body.session.expiresAt)).toBe(started + 12 * HOUR);
  });

  it('lastSeenAt moves at most once a minute', async () => {
    const s = await signIn(h);
    const seen = async () => (await h.sql<{ last_seen_at: unknown }>('select last_seen_at from sessions where id = ?', [s.sessionId]))[0].last_seen_at;
    const first = await seen();
    advance(30_000);
    expect((await h.get('/api/status', asSession(s))).status).toBe(200);
    expect(await seen()).toEqual(first);
    advance(31_000);
    expect((await h.get('/api/status', asSession(s))).status).toBe(200);
    expect(await seen()).not.toEqual(first);
  });
});

describe('expiry settings', () => {
  let h: Harness;
  let clock = Date.now();
  beforeAll(async () => {
    h = await startHarness({ now: () => new Date(clock), env: { SERVAL_SESSION_IDLE_MINUTES: '5', SERVAL_SESSION_MAX_HOURS: '0.5' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('come from SERVAL_SESSION_IDLE_MINUTES and SERVAL_SESSION_MAX_HOURS, and the cookie lives no longer', async () => {
    const s = await signIn(h);
    expect(s.setCookie).toMatch(/; Max-Age=1800(;|$)/);
    clock += 4 * MINUTE;
    expect((await h.get('/api/status', asSession(s))).status).toBe(200);
    clock += 5 * MINUTE + 1000;
    expect((await h.get('/api/status', asSession(s))).status).toBe(401);
    const busy = await signIn(h);
    for (let i = 0; i < 7; i++) {
      clock += 4 * MINUTE;
      expect((await h.get('/api/status', asSession(busy))).status).toBe(200);
    }
    clock += 2 * MINUTE; // 30 minutes after sign-in
    expect((await h.get('/api/status', asSession(busy))).status).toBe(401);
  });
});
