/** The People page (admins): the list, Invite person → Create invite → the link, role changes, Disable / Enable, and refusals. */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { person, signedInAs } from './fake-api';
import { open } from './render';

const ADA = person();
const GRACE = person({ id: 'per_grace', name: 'Grace Hopper', email: 'grace@example.com', role: 'member' });
const ALAN = person({ id: 'per_alan', name: 'Alan Turing', email: null, role: 'viewer', disabledAt: '2026-11-28T10:00:00.000Z' });
const INVITE = { url: 'http://localhost:8787/invite#inv_abcdefghijklmnopqrstuvwxyz012345', expiresAt: '2026-12-01T08:00:00.000Z' };
const list = { 'GET /api/people': { status: 200, body: { people: [ADA, GRACE, ALAN] } } };
const itemOf = (name: string) => screen.getByText(name, { selector: 'strong' }).closest('li')!;

afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe('the People page', () => {
  it('lists everyone with role and state; each role select is named with the person’s name', async () => {
    open('/people', { ...signedInAs('admin'), ...list });
    await screen.findByText('Grace Hopper');
    expect((screen.getByRole('combobox', { name: 'Grace Hopper' }) as HTMLSelectElement).value).toBe('member');
    expect((screen.getByRole('combobox', { name: 'Alan Turing' }) as HTMLSelectElement).value).toBe('viewer');
    expect(within(itemOf('Grace Hopper')).getByText('Active')).toBeTruthy();
    expect(within(itemOf('Alan Turing')).getByText('Disabled')).toBeTruthy();
    expect(within(itemOf('Alan Turing')).getByRole('button', { name: 'Enable' })).toBeTruthy();
    expect(within(itemOf('Ada Lovelace')).getByText('(you)')).toBeTruthy();
    // The Disable button names its person in its description.
    expect(within(itemOf('Grace Hopper')).getByRole('button', { name: 'Disable', description: 'Grace Hopper' })).toBeTruthy();
    expect(document.title).toBe('People · Serval');
  });

  it('Invite person → Name, Email, Role → Create invite: adds the person and shows the link to copy', async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const linus = person({ id: 'per_linus', name: 'Linus', email: 'linus@example.com', role: 'viewer' });
    const fake = open('/people', {
      ...signedInAs('admin'),
      ...list,
      'POST /api/people': { status: 201, body: { person: linus } },
      'POST /api/people/per_linus/invites': { status: 201, body: INVITE },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Invite person' }));
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: ' Linus ' } });
    fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'linus@example.com' } });
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'viewer' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create invite' }));

    const link = (await screen.findByLabelText('Invite link')) as HTMLInputElement;
    expect(link.value).toBe(INVITE.url);
    expect(link.readOnly).toBe(true);
    expect(screen.getByRole('heading', { name: 'Invite for Linus' })).toBeTruthy();
    expect(fake.calls.find((c) => c.method === 'POST' && c.url === '/api/people')?.body).toEqual({ name: 'Linus', email: 'linus@example.com', role: 'viewer' });
    expect(screen.getByRole('combobox', { name: 'Linus' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Copied.'));
    expect(writeText).toHaveBeenCalledWith(INVITE.url);
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByLabelText('Invite link')).toBeNull();
  });

  it('an email already taken is shown, and no invite is made', async () => {
    const fake = open('/people', {
      ...signedInAs('admin'),
      ...list,
      'POST /api/people': { status: 409, body: { error: { code: 'email_taken', message: 'Another person already has that e-mail address.' } } },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Invite person' }));
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Grace again' } });
    fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'grace@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create invite' }));
    expect((await screen.findByRole('alert')).textContent).toContain('already has that e-mail address');
    expect(fake.calls.some((c) => c.url.endsWith('/invites'))).toBe(false);
    expect(screen.getByRole('button', { name: 'Create invite' })).toBeTruthy();
  });

  it('changes a role with the select (PATCH {role})', async () => {
    const fake = open('/people', {
      ...signedInAs('admin'),
      ...list,
      'PATCH /api/people/per_grace': { status: 200, body: { person: { ...GRACE, role: 'admin' } } },
    });
    fireEvent.change(await screen.findByRole('combobox', { name: 'Grace Hopper' }), { target: { value: 'admin' } });
    await waitFor(() => expect(fake.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ role: 'admin' }));
    await waitFor(() => expect((screen.getByRole('combobox', { name: 'Grace Hopper' }) as HTMLSelectElement).disabled).toBe(false));
    expect((screen.getByRole('combobox', { name: 'Grace Hopper' }) as HTMLSelectElement).value).toBe('admin');
  });

  it('demoting the last admin is refused (409 last_admin): the message, the hint, and the select back on Admin', async () => {
    open('/people', {
      ...signedInAs('admin'),
      ...list,
      'PATCH /api/people/per_ada': {
        status: 409,
        body: { error: { code: 'last_admin', message: 'This is the last enabled admin: someone must stay able to manage this backend.' } },
      },
    });
    const select = (await screen.findByRole('combobox', { name: 'Ada Lovelace' })) as HTMLSelectElement;
    fireEvent.change(select, { target: { value: 'member' } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('last enabled admin');
    expect(alert.textContent).toContain('Make another person an admin first.');
    await waitFor(() => expect((screen.getByRole('combobox', { name: 'Ada Lovelace' }) as HTMLSelectElement).value).toBe('admin'));
    expect(within(screen.getByRole('banner')).getByText('Admin')).toBeTruthy();
  });

  it('Disable and Enable (PATCH {disabled}); the state follows', async () => {
    const fake = open('/people', {
      ...signedInAs('admin'),
      ...list,
      'PATCH /api/people/per_grace': { status: 200, body: { person: { ...GRACE, disabledAt: '2026-11-28T11:00:00.000Z' } } },
      'PATCH /api/people/per_alan': { status: 200, body: { person: { ...ALAN, disabledAt: null } } },
    });
    await screen.findByText('Grace Hopper');
    fireEvent.click(within(itemOf('Grace Hopper')).getByRole('button', { name: 'Disable' }));
    expect(await within(itemOf('Grace Hopper')).findByText('Disabled')).toBeTruthy();
    fireEvent.click(within(itemOf('Alan Turing')).getByRole('button', { name: 'Enable' }));
    expect(await within(itemOf('Alan Turing')).findByText('Active')).toBeTruthy();
    expect(fake.calls.filter((c) => c.method === 'PATCH').map((c) => [c.url, c.body])).toEqual([
      ['/api/people/per_grace', { disabled: true }],
      ['/api/people/per_alan', { disabled: false }],
    ]);
  });

  it('New invite link for someone already here shows their link', async () => {
    open('/people', { ...signedInAs('admin'), ...list, 'POST /api/people/per_grace/invites': { status: 201, body: INVITE } });
    await screen.findByText('Grace Hopper');
    fireEvent.click(within(itemOf('Grace Hopper')).getByRole('button', { name: 'New invite link' }));
    expect(((await screen.findByLabelText('Invite link')) as HTMLInputElement).value).toBe(INVITE.url);
    expect(within(itemOf('Alan Turing')).queryByRole('button', { name: 'New invite link' })).toBeNull(); // disabled: enable first
  });

  it('demoting yourself takes the admin pages away at once', async () => {
    open('/people', {
      ...signedInAs('admin'),
      ...list,
      'PATCH /api/people/per_ada': { status: 200, body: { person: { ...ADA, role: 'member' } } },
    });
    fireEvent.change(await screen.findByRole('combobox', { name: 'Ada Lovelace' }), { target: { value: 'member' } });
    expect(await screen.findByText('Only an admin can manage people, other people’s devices and sessions, and read the audit log.')).toBeTruthy();
    expect(within(screen.getByRole('navigation')).queryByRole('link', { name: 'People' })).toBeNull();
    expect(within(screen.getByRole('banner')).getByText('Member')).toBeTruthy();
  });
});
