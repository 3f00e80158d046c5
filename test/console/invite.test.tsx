/** An invite link's page, `/invite#<token>`: whom it is for, Add a passkey, signed in; a bad link says so. */
import { cleanup, fireEvent, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebAuthn } from '../../console/src/webauthn';
import { person, signInResponse } from './fake-api';
import { open } from './render';

const TOKEN = 'inv_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';
const REGISTRATION = {
  flow: 'flw_reg',
  options: {
    challenge: 'Y2hhbGxlbmdl',
    rp: { name: 'Serval', id: 'localhost' },
    user: { id: 'dXNlcg', name: 'grace@example.com', displayName: 'Grace Hopper' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  },
  person: { name: 'Grace Hopper', role: 'member' },
};
const INVALID = { status: 401, body: { error: { code: 'invite_invalid', message: 'This invite link is wrong, expired or already used.' } } };

function authenticator(refusal?: Error) {
  const startRegistration = vi.fn(async () => {
    if (refusal) throw refusal;
    return { id: 'cred_new', rawId: 'cred_new', type: 'public-key', response: {}, clientExtensionResults: {} };
  });
  return { startAuthentication: vi.fn(), startRegistration } as unknown as WebAuthn & { startRegistration: typeof startRegistration };
}

afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe('the invite page', () => {
  it('says whom the invite is for; Add a passkey registers one, signs in and opens Applications', async () => {
    const webauthn = authenticator();
    const grace = person({ id: 'per_grace', name: 'Grace Hopper', role: 'member' });
    const fake = open(
      `/invite#${TOKEN}`,
      {
        'POST /api/session/passkey/registration': { status: 200, body: REGISTRATION },
        'POST /api/session/passkey/registration/verify': { status: 201, body: signInResponse(grace, 'sss_grace') },
        'GET /api/applications': { status: 200, body: { applications: [] } },
      },
      webauthn,
    );
    expect(await screen.findByText('Grace Hopper')).toBeTruthy();
    expect(screen.getByText(/as a member/)).toBeTruthy();
    expect(document.title).toBe('Add a passkey · Serval');
    expect(fake.calls[0]).toMatchObject({ method: 'POST', url: '/api/session/passkey/registration', body: { invite: TOKEN } });

    fireEvent.click(screen.getByRole('button', { name: 'Add a passkey' }));
    const header = await screen.findByRole('banner');
    expect(within(header).getByText('Grace Hopper')).toBeTruthy();
    expect(webauthn.startRegistration).toHaveBeenCalledWith({ optionsJSON: REGISTRATION.options });
    expect(fake.calls.find((c) => c.url.endsWith('/verify'))?.body).toEqual({ flow: 'flw_reg', response: expect.objectContaining({ id: 'cred_new' }) });
    expect(localStorage.getItem('serval.session')).toBe('sss_grace');
    expect(location.pathname).toBe('/applications');
    expect(location.href).not.toContain(TOKEN);
    // A member: no People, no Audit log.
    expect(within(screen.getByRole('navigation')).queryByRole('link', { name: 'People' })).toBeNull();
  });

  it('a used or expired invite shows invite_invalid with its hint, and offers another way in', async () => {
    open(`/invite#${TOKEN}`, { 'POST /api/session/passkey/registration': INVALID }, authenticator());
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('wrong, expired or already used');
    expect(alert.textContent).toContain('Ask an admin for a new invite link');
    expect(screen.queryByRole('button', { name: 'Add a passkey' })).toBeNull();
    expect(screen.getByRole('link', { name: 'Sign in another way' }).getAttribute('href')).toBe('/sign-in');
  });

  it('a link without its token says so without asking the backend', async () => {
    const fake = open('/invite', {}, authenticator());
    expect((await screen.findByRole('alert')).textContent).toContain('wrong, expired or already used');
    expect(fake.calls).toEqual([]);
  });

  it('a closed passkey prompt leaves the invite unused and Add a passkey offered again', async () => {
    const refusal = Object.assign(new Error('Not allowed'), { name: 'NotAllowedError' });
    const fake = open(`/invite#${TOKEN}`, { 'POST /api/session/passkey/registration': { status: 200, body: REGISTRATION } }, authenticator(refusal));
    fireEvent.click(await screen.findByRole('button', { name: 'Add a passkey' }));
    expect((await screen.findByRole('alert')).textContent).toContain('passkey prompt was closed');
    expect(fake.calls.some((c) => c.url.endsWith('/verify'))).toBe(false);
    expect((screen.getByRole('button', { name: 'Add a passkey' }) as HTMLButtonElement).disabled).toBe(false);
    expect(localStorage.getItem('serval.session')).toBeNull();
  });
});
