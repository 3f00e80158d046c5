/** The Devices page: Pair a browser, the paired devices and the console sessions, each revocable. */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { session, signedInAs, THIS_DEVICE } from './fake-api';
import { open } from './render';

const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:140.0) Gecko/20100101 Firefox/140.0';
const LAPTOP = {
  id: 'dev_laptop',
  name: 'Chrome on macOS',
  person: { id: 'per_grace', name: 'Grace Hopper' },
  createdAt: '2026-11-20T09:00:00.000Z',
  lastSeenAt: null,
};
const devices = (list: unknown[]) => ({ 'GET /api/devices': { status: 200, body: { devices: list } } });
const sessions = (list: unknown[]) => ({ 'GET /api/sessions': { status: 200, body: { sessions: list } } });

afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe('the Devices page', () => {
  it('Pair a browser shows a pairing code for the signed-in person and until when it works', async () => {
    const fake = open('/devices', {
      ...signedInAs('viewer'),
      ...devices([]),
      ...sessions([session({ current: true })]),
      'POST /api/pairing-codes': { status: 201, body: { code: 'K7QP-2MXD', expiresAt: '2026-11-28T09:10:00.000Z' } },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Pair a browser' }));
    const code = await screen.findByText('K7QP-2MXD');
    expect(code.closest('p')!.textContent).toContain(new Date('2026-11-28T09:10:00.000Z').toLocaleString());
    expect(fake.calls.find((c) => c.method === 'POST')).toMatchObject({ url: '/api/pairing-codes', body: {} });
    expect(screen.getByText('No device is paired.')).toBeTruthy();
  });

  it('lists the sessions: how each signed in, its browser, last seen, and This session', async () => {
    open('/devices', {
      ...signedInAs('member'),
      ...devices([{ ...THIS_DEVICE, createdAt: '2026-11-28T09:00:00.000Z', lastSeenAt: null }]),
      ...sessions([session({ current: true }), session({ id: 'ses_2', method: 'code', userAgent: FIREFOX_MAC })]),
    });
    const mine = (await screen.findByText('This session')).closest('li')!;
    expect(within(mine).getByText('Chrome on Linux')).toBeTruthy();
    expect(mine.textContent).toContain('Signed in with a passkey');
    expect(mine.textContent).toContain(`last seen ${new Date('2026-11-28T09:30:00.000Z').toLocaleString()}`);
    const other = screen.getByText('Firefox on macOS').closest('li')!;
    expect(other.textContent).toContain('Signed in with a pairing code');
    expect(within(other).queryByText('This session')).toBeNull();
    // A member sees only their own: no names beside them.
    expect(screen.queryByText(/· Ada Lovelace/)).toBeNull();
  });

  it('revokes another session and another device; the lists follow', async () => {
    const fake = open('/devices', {
      ...signedInAs('admin'),
      ...devices([{ ...THIS_DEVICE, createdAt: '2026-11-28T09:00:00.000Z', lastSeenAt: null }, LAPTOP]),
      ...sessions([session({ current: true }), session({ id: 'ses_2', userAgent: FIREFOX_MAC, person: { id: 'per_grace', name: 'Grace Hopper' } })]),
      'DELETE /api/sessions/ses_2': { status: 204 },
      'DELETE /api/devices/dev_laptop': { status: 204 },
    });
    // An admin sees whose they are.
    expect((await screen.findByText('Firefox on macOS')).closest('li')!.textContent).toContain('Grace Hopper');
    fireEvent.click(screen.getByRole('button', { name: 'Revoke the session in Firefox on macOS of Grace Hopper' }));
    await waitFor(() => expect(screen.queryByText('Firefox on macOS')).toBeNull());
    fireEvent.click(screen.getByRole('button', { name: 'Revoke Chrome on macOS' }));
    await waitFor(() => expect(screen.queryByText('Chrome on macOS')).toBeNull());
    expect(fake.calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual(['/api/sessions/ses_2', '/api/devices/dev_laptop']);
    expect(screen.getByRole('navigation')).toBeTruthy(); // still signed in
  });

  it('revoking this session signs out: the secret is forgotten and sign-in shows', async () => {
    open('/devices', {
      ...signedInAs('viewer'),
      ...devices([]),
      ...sessions([session({ current: true })]),
      'DELETE /api/sessions/ses_1': { status: 204 },
      'GET /api/session/methods': { status: 200, body: { passkey: true, sso: false, passkeyOrigin: null } },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke this session' }));
    expect(await screen.findByLabelText('Pairing code')).toBeTruthy();
    expect(localStorage.getItem('serval.session')).toBeNull();
    expect(location.pathname).toBe('/sign-in');
  });

  it('a 403 forbidden (another person’s device, for a non-admin) is shown with its message', async () => {
    open('/devices', {
      ...signedInAs('member'),
      ...devices([LAPTOP]),
      ...sessions([]),
      'DELETE /api/devices/dev_laptop': {
        status: 403,
        body: { error: { code: 'forbidden', message: 'Only an admin can manage people, other people’s devices and sessions, and read the audit log.' } },
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke Chrome on macOS' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Only an admin can manage people');
    expect(alert.textContent).toContain('Ask an admin of this Serval backend');
    expect(screen.getByText('Chrome on macOS')).toBeTruthy();
  });
});
