/** Invites: a single-use link for 72 hours, its token kept only as a digest; npm run invite. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { hashInviteToken, INVITE_TTL_MS } from '../../server/people/invite-token.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let clock: Date;

beforeEach(async () => {
  clock = new Date('2026-11-26T10:00:00Z');
  h = await startHarness({ now: () => clock });
});
afterEach(async () => {
  await h.close();
});

const later = (ms: number) => new Date(clock.getTime() + ms);

describe('invites', () => {
  it('a link to the console with a single-use token kept only as a digest, for 72 hours', async () => {
    await h.pair();
    const { person } = await h.personWithDevice('member', { name: 'Ivy', email: 'ivy@example.com' });
    const res = await h.post(`/api/people/${person.id}/invites`);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      url: expect.stringMatching(/^http:\/\/localhost:8787\/invite#inv_[A-Za-z0-9_-]{43}$/),
      expiresAt: later(INVITE_TTL_MS).toISOString(),
    });
    const token = new URL(res.body.url).hash.slice(1);
    const digest = hashInviteToken(token);
    expect(digest).toBe(createHash('sha256').update(token).digest('hex'));
    const invites = h.runtime.repos.invites;
    expect(await invites.find(digest, later(INVITE_TTL_MS - 1000).toISOString())).toMatchObject({ personId: person.id, usedAt: null });
    expect(await invites.find(digest, later(INVITE_TTL_MS + 1000).toISOString())).toBeUndefined();
    expect(await invites.use(digest, later(INVITE_TTL_MS + 1000).toISOString())).toBe(false); // expired
    expect(await invites.use(digest, later(60_000).toISOString())).toBe(true);
    expect(await invites.use(digest, later(120_000).toISOString())).toBe(false); // single use
    expect(await invites.find(digest, later(120_000).toISOString())).toBeUndefined();

    const event = (await h.get('/api/audit')).body.events[0];
    expect(event).toMatchObject({ action: 'invite.created', person: { name: 'Owner' }, detail: { personId: person.id, name: 'Ivy' } });
    // The token was in one response only: the one that handed it out.
    expect((await h.exposedText()).split(token).length - 1).toBe(1);
  });

  it('SERVAL_PUBLIC_URL sets where the link points; an unknown person is 404', async () => {
    await h.restart({ SERVAL_PUBLIC_URL: 'https://serval.example.com/' });
    await h.pair();
    const { person } = await h.personWithDevice('viewer');
    expect((await h.post(`/api/people/${person.id}/invites`)).body.url).toMatch(/^https:\/\/serval\.example\.com\/invite#inv_/);
    const unknown = await h.post('/api/people/per_nobody/invites');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('person_not_found');
  });
});

describe('npm run invite', () => {
  it('prints an invite link, adding the person (or finding them by e-mail address); bad arguments are a clear error and exit status 1', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['dist/server/invite.mjs', ...args], { env: { ...process.env, SERVAL_MASTER_KEY: '', ...h.env }, encoding: 'utf8' });
    await h.pair();

    const made = run('--name', 'Rosa', '--email', 'Rosa@Example.com', '--role', 'member');
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    const url = /^Invite link: (http:\/\/localhost:8787\/invite#inv_[A-Za-z0-9_-]{43})$/m.exec(made.stdout)?.[1];
    expect(url).toBeTruthy();
    const rosa = await h.runtime.people.byEmail('rosa@example.com');
    expect(rosa).toMatchObject({ name: 'Rosa', role: 'member', disabledAt: null });
    // The CLI used the real clock.
    expect(await h.runtime.repos.invites.find(hashInviteToken(new URL(url!).hash.slice(1)), new Date().toISOString())).toMatchObject({ personId: rosa!.id });

    const again = run('--name', 'Rosa M.', '--email', 'rosa@example.com', '--role', 'admin');
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^Invite link: http:\/\/localhost:8787\/invite#inv_/m);
    expect(again.stdout).toContain('already belonged to Rosa, member');
    expect((await h.get('/api/people')).body.people.map((p: any) => [p.name, p.role])).toEqual([
      ['Owner', 'admin'],
      ['Rosa', 'member'],
    ]);
    const nameless = run('--name', 'Tom', '--role', 'viewer');
    expect(nameless.status, nameless.stderr).toBe(0);
    expect((await h.get('/api/people')).body.people.map((p: any) => p.name)).toEqual(['Owner', 'Rosa', 'Tom']);

    for (const [args, message] of [
      [['--name', 'X', '--role', 'owner'], '--role must be one of viewer, member, admin'],
      [['--role', 'member'], '--name'],
      [['--name', 'X', '--role', 'member', '--email', 'nope'], '--email'],
      [['--name', 'X', '--role', 'member', '--colour', 'red'], 'Usage: npm run invite'],
    ] as const) {
      const res = run(...args);
      expect(res.status, args.join(' ')).toBe(1);
      expect(res.stderr).toContain(message);
      expect(res.stdout).toBe('');
    }
    expect((await h.get('/api/people')).body.people).toHaveLength(3);
    // Invites for a disabled person are refused.
    await h.patch(`/api/people/${rosa!.id}`, { disabled: true });
    const disabled = run('--name', 'Rosa', '--email', 'rosa@example.com', '--role', 'member');
    expect(disabled.status).toBe(1);
    expect(disabled.stderr).toContain('is disabled');
  });
});
