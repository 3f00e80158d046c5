/** The web console's views, against a fake fetch: what a person sees and what is sent. */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { createRestrictedKeyUrl } from '../../shared/permissions.js';
import { application, integration, signedInAs, validation } from './fake-api';
import { open } from './render';

const FULL_KEY = 'rk_test_51SecretSecretSecretSecret0123456789';

afterEach(() => {
  cleanup();
  localStorage.clear();
  sessionStorage.clear();
});

describe('applications', () => {
  it('lists each application with its Stripe status', async () => {
    open('/applications', {
      ...signedInAs('admin'),
      'GET /api/applications': {
        status: 200,
        body: {
          applications: [
            application({ id: 'app_1', name: 'Billing', stripe: integration() }),
            application({ id: 'app_2', name: 'Payouts', stripe: integration({ applicationId: 'app_2', missingPermissions: ['balance_read'] }) }),
            application({ id: 'app_3', name: 'Reports' }),
          ],
        },
      },
    });
    await screen.findByText('Billing');
    const items = [...document.querySelectorAll('li.application')];
    const text = (name: string) => items.find((li) => li.textContent?.includes(name))!.textContent;
    expect(text('Billing')).toContain('Connected');
    expect(text('Payouts')).toContain('Missing permissions');
    expect(text('Reports')).toContain('Stripe not connected');
  });

  it('New application → Name → Create makes it and opens its API Integration tab', async () => {
    const fake = open('/applications', {
      ...signedInAs('admin'),
      'GET /api/applications': { status: 200, body: { applications: [] } },
      'POST /api/applications': { status: 201, body: { application: application({ id: 'app_9', name: 'Checkout' }) } },
      'GET /api/applications/app_9': { status: 200, body: { application: application({ id: 'app_9', name: 'Checkout' }) } },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'New application' }));
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Checkout' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByRole('heading', { name: 'Checkout' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'API Integration' }).getAttribute('aria-selected')).toBe('true');
    expect(location.pathname).toBe('/applications/app_9/api-integration');
    expect(fake.calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Checkout' });
  });
});

describe('the API Integration tab', () => {
  async function chooseStripe() {
    fireEvent.input(await screen.findByLabelText('Search integrations'), { target: { value: 'str' } });
    fireEvent.click(screen.getByRole('button', { name: 'Stripe' }));
    return screen.getByLabelText('Stripe API key') as HTMLInputElement;
  }

  it('search "str", choose Stripe, Save: the key is sent once, cleared, and the verdict shows connected', async () => {
    const connected = integration();
    const fake = open('/applications/app_1/api-integration', {
      ...signedInAs('admin'),
      'GET /api/applications/app_1': { status: 200, body: { application: application() } },
      'PUT /api/applications/app_1/integrations/stripe': { status: 200, body: { integration: connected, validation: validation(connected) } },
    });
    fireEvent.input(await screen.findByLabelText('Search integrations'), { target: { value: 'xyz' } });
    expect(screen.queryByRole('button', { name: 'Stripe' })).toBeNull();
    const field = await chooseStripe();
    expect(field.type).toBe('password');
    await waitFor(() => expect(document.activeElement).toBe(field)); // the keyboard goes on to the key
    field.value = FULL_KEY;
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(field.value).toBe('');
    expect(await screen.findByText('Connected')).toBeTruthy();
    expect(screen.getByText('Restricted key')).toBeTruthy();
    expect(screen.getByText('Test mode')).toBeTruthy();
    expect(screen.getByText('rk_test_…Ab12')).toBeTruthy();
    expect(screen.getByText('acct_1Serval')).toBeTruthy();

    const put = fake.calls.filter((c) => c.method === 'PUT').map(({ method, url, body }) => ({ method, url, body }));
    expect(put).toEqual([{ method: 'PUT', url: '/api/applications/app_1/integrations/stripe', body: { apiKey: FULL_KEY, source: 'manual' } }]);
    expect(fake.calls.filter((c) => c.url.includes(FULL_KEY))).toEqual([]);
    expect(document.documentElement.outerHTML).not.toContain(FULL_KEY);
    expect(location.href).not.toContain(FULL_KEY);
    expect(JSON.stringify({ ...localStorage, ...sessionStorage })).not.toContain(FULL_KEY);
  });

  it('takes every kind of key: an organization key with its Stripe account (saved first), a claimable sandbox’s rkcs_test_ key', async () => {
    const orgKey = `sk_org_${FULL_KEY.slice('rk_test_'.length)}`;
    const sandboxKey = `rkcs_test_${FULL_KEY.slice('rk_test_'.length)}`;
    const connected = integration({ keyType: 'organization', maskedKey: 'sk_org_…Ab12', accountId: 'acct_1Sandbox', accountName: 'Sandbox A' });
    const fake = open('/applications/app_1/api-integration', {
      ...signedInAs('admin'),
      'GET /api/applications/app_1': { status: 200, body: { application: application() } },
      'PATCH /api/applications/app_1': { status: 200, body: { application: application({ stripeAccount: 'acct_1Sandbox' }) } },
      'PUT /api/applications/app_1/integrations/stripe': { status: 200, body: { integration: connected, validation: validation(connected) } },
    });
    const field = await chooseStripe();
    fireEvent.input(screen.getByLabelText('Stripe account (for an organization key)'), { target: { value: 'acct_1Sandbox' } });
    field.value = orgKey;
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Organization key')).toBeTruthy();
    expect(screen.getByText(/Sandbox A/)).toBeTruthy();
    const sent = fake.calls.filter((c) => c.method === 'PATCH' || c.method === 'PUT').map(({ method, body }) => ({ method, body }));
    expect(sent).toEqual([
      { method: 'PATCH', body: { stripeAccount: 'acct_1Sandbox' } },
      { method: 'PUT', body: { apiKey: orgKey, source: 'manual' } },
    ]);

    fireEvent.click(screen.getByRole('button', { name: 'Replace key' }));
    const again = screen.getByLabelText('Stripe API key') as HTMLInputElement;
    again.value = sandboxKey;
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.calls.filter((c) => c.method === 'PUT')).toHaveLength(2));
    expect(fake.calls.filter((c) => c.method === 'PUT').at(-1)?.body).toEqual({ apiKey: sandboxKey, source: 'manual' });
    expect(fake.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
  });

  it('missing permissions: names them, with the edit link and the pre-filled create link', async () => {
    const missing = integration({ missingPermissions: ['balance_read', 'customers_write'] });
    open('/applications/app_1/api-integration', {
      ...signedInAs('admin'),
      'GET /api/applications/app_1': { status: 200, body: { application: application() } },
      'PUT /api/applications/app_1/integrations/stripe': { status: 200, body: { integration: missing, validation: validation(missing) } },
    });
    const field = await chooseStripe();
    field.value = FULL_KEY;
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Balance: Read')).toBeTruthy();
    expect(screen.getByText('Customers: Write')).toBeTruthy();
    expect(screen.getByRole('link', { name: "Edit the key's permissions in Stripe" }).getAttribute('href')).toBe('https://dashboard.stripe.com/test/apikeys');
    expect(screen.getByRole('link', { name: "create a restricted key with Serval's permissions" }).getAttribute('href')).toBe(createRestrictedKeyUrl('test'));
  });

  it.each([
    ['invalid_api_key', 'Stripe does not recognise this key.', 'deleted or rotated'],
    ['publishable_key', 'That is a publishable key (pk_…).', 'Use a restricted key'],
    ['stripe_unavailable', 'Stripe could not be reached.', 'Nothing was changed'],
  ])("a refused key (%s) shows the message and the guide's hint, and the form stays", async (code, message, hint) => {
    open('/applications/app_1/api-integration', {
      ...signedInAs('admin'),
      'GET /api/applications/app_1': { status: 200, body: { application: application() } },
      'PUT /api/applications/app_1/integrations/stripe': { status: code === 'stripe_unavailable' ? 502 : 422, body: { error: { code, message } } },
    });
    const field = await chooseStripe();
    field.value = 'pk_test_51whatever0123456789abcdefghij';
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(message);
    expect(alert.textContent).toContain(hint);
    expect((screen.getByLabelText('Stripe API key') as HTMLInputElement).value).toBe('');
  });

  it('Re-check asks Stripe again; Remove asks for confirmation, then removes', async () => {
    const stored = integration();
    const fake = open('/applications/app_1/api-integration', {
      ...signedInAs('admin'),
      'GET /api/applications/app_1': { status: 200, body: { application: application({ stripe: stored }) } },
      'POST /api/applications/app_1/integrations/stripe/validate': {
        status: 200,
        body: {
          integration: { ...stored, status: 'invalid', lastError: { code: 'invalid_api_key', message: 'Stripe does not recognise this key.' } },
          validation: validation(stored),
        },
      },
      'DELETE /api/applications/app_1/integrations/stripe': { status: 204 },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Re-check' }));
    expect(await screen.findByText('Invalid key')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    expect(fake.calls.some((c) => c.method === 'DELETE')).toBe(false);
    const confirm = screen.getByRole('button', { name: 'Yes, remove the key' });
    await waitFor(() => expect(document.activeElement).toBe(confirm));
    fireEvent.click(confirm);
    expect(await screen.findByLabelText('Search integrations')).toBeTruthy();
    expect(fake.calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual(['/api/applications/app_1/integrations/stripe']);
  });

  it('after Save, the verdict shows the check’s warnings; the overview shows the stored verdict without them', async () => {
    const replaced = integration({ missingPermissions: ['balance_read'] });
    const warnings = [
      { code: 'missing_permissions', message: 'The key is missing 1 permission.' },
      { code: 'account_changed', message: 'The new key belongs to acct_Other, not acct_1Serval.' },
    ];
    open('/applications/app_1/api-integration', {
      ...signedInAs('admin'),
      'GET /api/applications/app_1': { status: 200, body: { application: application({ stripe: integration() }) } },
      'PUT /api/applications/app_1/integrations/stripe': { status: 200, body: { integration: replaced, validation: validation(replaced, { warnings }) } },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Replace key' }));
    const field = screen.getByLabelText('Stripe API key') as HTMLInputElement;
    field.value = FULL_KEY;
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('The new key belongs to acct_Other, not acct_1Serval.')).toBeTruthy();
    expect(screen.queryByText('The key is missing 1 permission.')).toBeNull(); // listed by name instead
    expect(screen.getByText('Balance: Read')).toBeTruthy();
    expect(screen.getByRole('link', { name: "create a restricted key with Serval's permissions" }).parentElement!.textContent).toContain(
      'then save the new key here.',
    );

    fireEvent.click(screen.getByRole('tab', { name: 'Overview' }));
    expect(await screen.findByText('Missing permissions')).toBeTruthy();
    expect(screen.getByText('Balance: Read')).toBeTruthy();
    expect(screen.getByRole('link', { name: "Edit the key's permissions in Stripe" }).parentElement!.textContent).toContain(
      'then save the new key on the API Integration tab.',
    );
    expect(screen.queryByText('The new key belongs to acct_Other, not acct_1Serval.')).toBeNull();
  });

  it('a connected key can be replaced: Replace key shows the form', async () => {
    open('/applications/app_1/api-integration', {
      ...signedInAs('admin'),
      'GET /api/applications/app_1': { status: 200, body: { application: application({ stripe: integration() }) } },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Replace key' }));
    expect((screen.getByLabelText('Stripe API key') as HTMLInputElement).type).toBe('password');
    expect(screen.getByRole('button', { name: 'Save' })).toBeTruthy();
  });
});

describe('the audit log', () => {
  it('shows the audit log newest first and pages to older events', async () => {
    const event = (n: number) => ({
      id: `evt_${n}`,
      at: new Date(Date.UTC(2026, 10, 28, 9, 0, n)).toISOString(),
      action: n % 2 ? 'integration.connected' : 'application.created',
      person: { id: 'per_ada', name: 'Ada Lovelace' },
      deviceId: null,
      applicationId: 'app_1',
      detail: { maskedKey: 'rk_test_…Ab12' },
    });
    const fake = open('/audit', {
      ...signedInAs('admin'),
      'GET /api/audit?limit=50': { status: 200, body: { events: Array.from({ length: 50 }, (_, i) => event(i)) } },
      'GET /api/audit?limit=100': { status: 200, body: { events: Array.from({ length: 60 }, (_, i) => event(i)) } },
    });
    await screen.findByRole('heading', { name: 'Audit log' });
    await screen.findAllByText('integration.connected');
    const times = [...document.querySelectorAll('li.audit-event')];
    const first = times[0].querySelector('time')!.getAttribute('datetime')!;
    const last = times[times.length - 1].querySelector('time')!.getAttribute('datetime')!;
    expect(first > last).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Show older events' }));
    await waitFor(() => expect(document.querySelectorAll('li.audit-event')).toHaveLength(60));
    expect(fake.calls.map((c) => c.url)).toContain('/api/audit?limit=100');
    expect(screen.queryByRole('button', { name: 'Show older events' })).toBeNull();
  });
});
