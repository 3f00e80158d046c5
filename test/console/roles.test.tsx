/**
 * What a role can't use is not offered, and the page says why in the words of the server's 403
 * (shared/roles.ts): a viewer reads, a member connects test keys, removing and the admin pages
 * need an admin. A 403 that happens anyway is shown with its message.
 */
import { cleanup, fireEvent, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { forbiddenMessage } from '../../shared/roles.js';
import { application, integration, signedInAs } from './fake-api';
import { open } from './render';

const LIVE_KEY = 'rk_live_51SecretSecretSecretSecret0123456789';
const connected = (role: 'viewer' | 'member' | 'admin') => ({
  ...signedInAs(role),
  'GET /api/applications/app_1': { status: 200, body: { application: application({ stripe: integration() }) } },
});

afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe('role-limited controls', () => {
  it('a viewer sees no New application, and reads why', async () => {
    open('/applications', { ...signedInAs('viewer'), 'GET /api/applications': { status: 200, body: { applications: [application()] } } });
    expect(await screen.findByText('Only a member or above can change applications and test keys.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'New application' })).toBeNull();
    const nav = screen.getByRole('navigation');
    expect(within(nav).queryByRole('link', { name: 'People' })).toBeNull();
    expect(within(nav).queryByRole('link', { name: 'Audit log' })).toBeNull();
    expect(within(screen.getByRole('banner')).getByText('Viewer')).toBeTruthy();
  });

  it('a viewer reads the integration, with no Re-check, Replace key or Remove', async () => {
    open('/applications/app_1/api-integration', connected('viewer'));
    expect(await screen.findByText('Connected')).toBeTruthy();
    for (const name of ['Re-check', 'Replace key', 'Remove']) expect(screen.queryByRole('button', { name })).toBeNull();
    expect(screen.getByText(forbiddenMessage('write_test'))).toBeTruthy();
  });

  it('a viewer is not offered the connect form on an application without Stripe', async () => {
    open('/applications/app_1/api-integration', {
      ...signedInAs('viewer'),
      'GET /api/applications/app_1': { status: 200, body: { application: application() } },
    });
    expect(await screen.findByText(forbiddenMessage('write_test'))).toBeTruthy();
    expect(screen.queryByLabelText('Search integrations')).toBeNull();
  });

  it('a member re-checks and replaces but sees no Remove, and reads why', async () => {
    open('/applications/app_1/api-integration', connected('member'));
    expect(await screen.findByRole('button', { name: 'Re-check' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Replace key' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Remove' })).toBeNull();
    expect(screen.getByText(forbiddenMessage('destroy'))).toBeTruthy();
  });

  it('a member’s live key is refused before it leaves the page: Only an admin can send live keys', async () => {
    const fake = open('/applications/app_1/api-integration', connected('member'));
    fireEvent.click(await screen.findByRole('button', { name: 'Replace key' }));
    expect(screen.getByText(/Only an admin can send live keys\./)).toBeTruthy(); // said beside the field, before any key
    const field = screen.getByLabelText('Stripe API key') as HTMLInputElement;
    field.value = LIVE_KEY;
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Only an admin can send live keys.');
    expect(field.value).toBe('');
    expect(fake.calls.filter((c) => c.method === 'PUT')).toEqual([]);
    expect(document.documentElement.outerHTML).not.toContain(LIVE_KEY);
  });

  it('an admin has Remove', async () => {
    open('/applications/app_1/api-integration', connected('admin'));
    expect(await screen.findByRole('button', { name: 'Remove' })).toBeTruthy();
    expect(screen.queryByText(forbiddenMessage('destroy'))).toBeNull();
  });

  it.each([
    ['/people', 'People'],
    ['/audit', 'Audit log'],
  ])('a member who opens %s reads that only an admin can, and nothing is asked of the backend', async (path, title) => {
    const fake = open(path, signedInAs('member'));
    expect(await screen.findByRole('heading', { name: title })).toBeTruthy();
    expect(screen.getByText(forbiddenMessage('administer'))).toBeTruthy();
    expect(fake.calls.map((c) => c.url)).toEqual(['/api/me']);
  });

  it('a 403 forbidden from the server is shown with its message and hint', async () => {
    open('/applications', {
      ...signedInAs('member'),
      'GET /api/applications': { status: 200, body: { applications: [] } },
      'POST /api/applications': { status: 403, body: { error: { code: 'forbidden', message: forbiddenMessage('write_test') } } },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'New application' }));
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Checkout' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(forbiddenMessage('write_test'));
    expect(alert.textContent).toContain('Ask an admin of this Serval backend');
  });
});
