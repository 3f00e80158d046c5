/**
 * Signing in to the console, against a fake API and a fake authenticator: the methods the
 * backend offers, the passkey and code sign-ins keeping the session secret, SSO's hand-over in the
 * fragment and its errors in the query, the header, Sign out, and a 401 anywhere back to sign-in.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebAuthn } from '../../console/src/webauthn';
import type { SignInMethods } from '../../shared/api.js';
import { person, signedInAs, signInResponse, UNAUTHORIZED } from './fake-api';
import { open } from './render';

const METHODS: SignInMethods = { passkey: true, sso: false, passkeyOrigin: null };
const signedOut = (methods = METHODS) => ({ 'GET /api/session/methods': { status: 200, body: methods } });
const secret = () => localStorage.getItem('serval.session');

/** An authenticator that answers every ceremony with a canned response, or refuses as the browser would. */
function fakeAuthenticator(refusal?: Error) {
  const answer = async () => {
    if (refusal) throw refusal;
    return { id: 'cred_1', rawId: 'cred_1', type: 'public-key', response: {}, clientExtensionResults: {} };
  };
  return { startAuthentication: vi.fn(answer), startRegistration: vi.fn(answer) } as unknown as WebAuthn & {
    startAuthentication: ReturnType<typeof vi.fn>;
    startRegistration: ReturnType<typeof vi.fn>;
  };
}

afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe('the sign-in page', () => {
  it('without a session secret shows sign-in at once, without asking who is signed in', async () => {
    const fake = open('/', signedOut());
    expect(await screen.findByRole('button', { name: 'Sign in with a passkey' })).toBeTruthy();
    expect(screen.getByLabelText('Pairing code')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sign in with SSO' })).toBeNull();
    expect(fake.calls.map((c) => c.url)).toEqual(['/api/session/methods']);
    expect(document.title).toBe('Sign in · Serval');
  });

  it('offers SSO when the backend has it: a full-page GET to /api/session/oidc/start', async () => {
    open('/sign-in', signedOut({ ...METHODS, sso: true }));
    const sso = await screen.findByRole('button', { name: 'Sign in with SSO' });
    // Not a form: the console's CSP (form-action 'self') would stop a form's redirect to the provider.
    expect(sso.closest('form')).toBeNull();
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
    try {
      fireEvent.click(sso);
      expect(assign).toHaveBeenCalledWith('/api/session/oidc/start');
    } finally {
      assign.mockRestore();
    }
  });

  it('at 127.0.0.1 names the address where passkeys work instead of offering the button', async () => {
    open('/sign-in', signedOut({ ...METHODS, passkeyOrigin: 'http://localhost:8787' }));
    const link = await screen.findByRole('link', { name: 'http://localhost:8787' });
    expect(link.getAttribute('href')).toBe('http://localhost:8787/sign-in');
    expect(link.parentElement!.textContent).toContain('Passkeys work at');
    expect(screen.queryByRole('button', { name: 'Sign in with a passkey' })).toBeNull();
  });

  it('signs in with a passkey: options, the browser’s ceremony, the answer; the secret is kept and the header shows who', async () => {
    const authenticator = fakeAuthenticator();
    const fake = open(
      '/sign-in',
      {
        ...signedOut(),
        'POST /api/session/passkey/options': { status: 200, body: { flow: 'flw_1', options: { challenge: 'c2FsdA', allowCredentials: [] } } },
        'POST /api/session/passkey': { status: 201, body: signInResponse(person({ name: 'Grace Hopper', role: 'member' })) },
        'GET /api/applications': { status: 200, body: { applications: [] } },
      },
      authenticator,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in with a passkey' }));
    const header = await screen.findByRole('banner');
    expect(within(header).getByText('Grace Hopper')).toBeTruthy();
    expect(within(header).getByText('Member')).toBeTruthy();
    expect(authenticator.startAuthentication).toHaveBeenCalledWith({ optionsJSON: { challenge: 'c2FsdA', allowCredentials: [] } });
    const sent = fake.calls.find((c) => c.url === '/api/session/passkey')!;
    expect(sent.body).toEqual({ flow: 'flw_1', response: expect.objectContaining({ id: 'cred_1' }) });
    expect(secret()).toBe('sss_new_secret');
    expect(location.pathname).toBe('/applications');
    // Every request after the sign-in carries the secret.
    await waitFor(() => expect(fake.calls.find((c) => c.url === '/api/applications')?.headers['x-serval-session']).toBe('sss_new_secret'));
  });

  it('a closed passkey prompt says so and signs no one in', async () => {
    const refusal = Object.assign(new Error('The operation either timed out or was not allowed.'), { name: 'NotAllowedError' });
    const fake = open(
      '/sign-in',
      { ...signedOut(), 'POST /api/session/passkey/options': { status: 200, body: { flow: 'flw_1', options: { challenge: 'c2FsdA' } } } },
      fakeAuthenticator(refusal),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in with a passkey' }));
    expect((await screen.findByRole('alert')).textContent).toContain('passkey prompt was closed');
    expect(fake.calls.some((c) => c.url === '/api/session/passkey')).toBe(false);
    expect(secret()).toBeNull();
    expect((screen.getByRole('button', { name: 'Sign in with a passkey' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('a passkey the backend does not know shows passkey_invalid with its hint', async () => {
    open(
      '/sign-in',
      {
        ...signedOut(),
        'POST /api/session/passkey/options': { status: 200, body: { flow: 'flw_1', options: { challenge: 'c2FsdA' } } },
        'POST /api/session/passkey': {
          status: 401,
          body: { error: { code: 'passkey_invalid', message: 'That passkey could not be verified, or it is not registered here.' } },
        },
      },
      fakeAuthenticator(),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in with a passkey' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('could not be verified');
    expect(alert.textContent).toContain('add the passkey from an invite link');
    expect(screen.getByLabelText('Pairing code')).toBeTruthy();
  });

  it('signs in with a pairing code and shows the navigation', async () => {
    const fake = open('/', {
      ...signedOut(),
      'POST /api/session': { status: 201, body: signInResponse() },
      'GET /api/applications': { status: 200, body: { applications: [] } },
    });
    fireEvent.input(await screen.findByLabelText('Pairing code'), { target: { value: ' abcd-efgh ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const nav = await screen.findByRole('navigation');
    for (const name of ['Applications', 'Devices', 'People', 'Audit log']) expect(within(nav).getByRole('link', { name })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
    expect(fake.calls.find((c) => c.url === '/api/session')?.body).toEqual({ code: 'abcd-efgh' });
    expect(secret()).toBe('sss_new_secret');
  });

  it('a wrong pairing code shows the message and the hint', async () => {
    open('/', {
      ...signedOut(),
      'POST /api/session': { status: 401, body: { error: { code: 'pairing_code_invalid', message: 'That pairing code is wrong, expired or already used.' } } },
    });
    fireEvent.input(await screen.findByLabelText('Pairing code'), { target: { value: 'WRON-GCOD' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('wrong, expired or already used');
    expect(alert.textContent).toContain('npm run pair');
    expect(secret()).toBeNull();
  });

  it.each([
    ['sso_refused', 'no one here has that verified e-mail address', 'People → Invite person'],
    ['sso_failed', 'could not be verified', 'Start again with Sign in with SSO'],
  ])('shows ?error=%s from the SSO callback with its hint, and drops it from the URL', async (code, message, hint) => {
    open(`/sign-in?error=${code}`, signedOut({ ...METHODS, sso: true }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(message);
    expect(alert.textContent).toContain(hint);
    expect(location.search).toBe('');
    expect(location.pathname).toBe('/sign-in');
  });
});

describe('the session', () => {
  it('takes #session=<secret> from the SSO callback into storage, out of the URL, and signs in with it', async () => {
    const fake = open('/#session=sss_from_sso', {
      'GET /api/me': { status: 200, body: { person: person({ name: 'Ada Lovelace', role: 'admin' }), via: 'session' } },
      'GET /api/applications': { status: 200, body: { applications: [] } },
    });
    const header = await screen.findByRole('banner');
    expect(within(header).getByText('Ada Lovelace')).toBeTruthy();
    expect(within(header).getByText('Admin')).toBeTruthy();
    expect(location.hash).toBe('');
    expect(location.href).not.toContain('sss_from_sso');
    expect(secret()).toBe('sss_from_sso');
    expect(fake.calls[0]).toMatchObject({ url: '/api/me', headers: { 'x-serval-session': 'sss_from_sso' } });
  });

  it('a stored secret the backend no longer takes (401) is forgotten, and sign-in shows', async () => {
    open('/applications', { ...signedInAs('admin'), 'GET /api/me': UNAUTHORIZED, ...signedOut() });
    expect(await screen.findByLabelText('Pairing code')).toBeTruthy();
    expect(secret()).toBeNull();
  });

  it('a 401 on any page (the session expired or was revoked) returns to sign-in', async () => {
    open('/devices', { ...signedInAs('member'), 'GET /api/devices': UNAUTHORIZED, 'GET /api/sessions': UNAUTHORIZED, ...signedOut() });
    expect(await screen.findByLabelText('Pairing code')).toBeTruthy();
    expect(screen.queryByRole('navigation')).toBeNull();
    expect(secret()).toBeNull();
  });

  it('Sign out ends the session on the server, forgets the secret and shows sign-in', async () => {
    const fake = open('/applications', {
      ...signedInAs('viewer'),
      ...signedOut(),
      'GET /api/applications': { status: 200, body: { applications: [] } },
      'DELETE /api/session': { status: 204 },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByLabelText('Pairing code')).toBeTruthy();
    const signOut = fake.calls.find((c) => c.method === 'DELETE' && c.url === '/api/session')!;
    expect(signOut.headers['x-serval-session']).toBe('sss_test_secret');
    expect(secret()).toBeNull();
    expect(location.pathname).toBe('/sign-in');
  });
});
