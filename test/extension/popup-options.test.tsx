/** The popup and the options page: pairing, status, Re-check, default application, Disconnect. */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allPermissions } from '../../shared/permissions.js';
import type { PairingState, Reply, StatusReport } from '../../extension/messaging/protocol';
import { ServalApp } from '../../extension/pages/ServalApp';
import type { UiClient } from '../../extension/pages/ui-client';
import { application, integration, validation } from './fixtures';

const ok = <T,>(data: T): Reply<T> => ({ ok: true, data });

const unpaired: PairingState = {
  paired: false,
  backendUrl: 'http://127.0.0.1:8787',
  device: null,
  person: null,
  unpairedReason: null,
  defaultApplicationId: null,
};
const owner = { id: 'per_owner', name: 'Owner', role: 'admin' as const };
const paired: PairingState = { ...unpaired, paired: true, device: { id: 'dev_1', name: 'Chrome on Linux' }, person: owner, defaultApplicationId: 'app_1' };

const report: StatusReport = {
  backendUrl: 'http://127.0.0.1:8787',
  version: '0.1.0',
  status: {
    device: { id: 'dev_1', name: 'Chrome on Linux' },
    person: owner,
    applications: 2,
    integrations: { connected: 1, needsAttention: 1, rotationDue: 0, expiringSoon: 0 },
  },
  applications: [
    application({ id: 'app_1', name: 'Billing', stripe: integration({ mode: 'live', maskedKey: 'rk_live_…Ab12' }) }),
    application({
      id: 'app_2',
      name: 'Payouts',
      stripe: integration({
        applicationId: 'app_2',
        status: 'missing_permissions',
        maskedKey: 'rk_test_…Cd34',
        permissions: { ...allPermissions(true), balance_read: false },
        missingPermissions: ['balance_read'],
      }),
    }),
    application({ id: 'app_3', name: 'Reports' }),
  ],
  checkedAt: '2026-03-01T12:00:00.000Z',
};

function fakeClient(state: PairingState, overrides: Partial<UiClient> = {}): UiClient {
  return {
    getState: vi.fn(async () => ok(state)),
    pair: vi.fn(async () => ok(paired)),
    disconnect: vi.fn(async () => ok(unpaired)),
    getStatus: vi.fn(async () => ok(report)),
    recheck: vi.fn(async () => ok({ integration: integration({ lastValidatedAt: '2026-03-02T08:00:00.000Z' }), validation: validation() })),
    setDefaultApplication: vi.fn(async (applicationId: string | null) => ok({ ...paired, defaultApplicationId: applicationId })),
    offerAgainOnActiveTab: vi.fn(async () => ok({ offered: 1 })),
    openOptions: vi.fn(async () => {}),
    watchPairing: vi.fn(() => () => {}),
    ...overrides,
  };
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('pairing', () => {
  it('asks for the Backend URL (127.0.0.1:8787 by default) and the pairing code, and connects', async () => {
    const client = fakeClient(unpaired);
    render(<ServalApp client={client} variant="options" />);
    const url = (await screen.findByLabelText('Backend URL')) as HTMLInputElement;
    expect(url.value).toBe('http://127.0.0.1:8787');
    fireEvent.input(screen.getByLabelText('Pairing code'), { target: { value: 'abcd-efgh' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await waitFor(() => expect(client.pair).toHaveBeenCalledWith('http://127.0.0.1:8787', 'abcd-efgh'));
    expect(await screen.findByText('This device: Chrome on Linux')).toBeTruthy();
  });

  it('shows why pairing failed, with the hint', async () => {
    const client = fakeClient(unpaired, {
      pair: vi.fn(async () => ({
        ok: false as const,
        error: { code: 'pairing_code_invalid', message: 'That pairing code is wrong, expired or already used.' },
      })),
    });
    render(<ServalApp client={client} variant="popup" />);
    fireEvent.input(await screen.findByLabelText('Pairing code'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('That pairing code is wrong, expired or already used.');
    expect(alert.textContent).toContain('npm run pair');
  });

  it('refuses plain http:// to a backend off this computer next to the field, before any request', async () => {
    const client = fakeClient(unpaired);
    render(<ServalApp client={client} variant="options" />);
    const url = (await screen.findByLabelText('Backend URL')) as HTMLInputElement;
    fireEvent.input(url, { target: { value: 'http://serval.example.com:8787' } });
    fireEvent.input(screen.getByLabelText('Pairing code'), { target: { value: 'abcd-efgh' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(
      "Use https:// for a backend that isn't on this computer: over http:// the Stripe key would cross the network in clear.",
    );
    expect(alert.textContent).toContain('127.0.0.1, localhost or [::1]');
    expect(client.pair).not.toHaveBeenCalled();
    // The field says it is the problem, and points at the message; focus goes back to it.
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(url.getAttribute('aria-describedby')).toBe(alert.id);
    expect(document.activeElement).toBe(url);

    fireEvent.input(url, { target: { value: 'https://serval.example.com:8787' } });
    expect(screen.queryByRole('alert')).toBeNull(); // edited: the message goes
    expect(url.getAttribute('aria-invalid')).toBe('false');
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await waitFor(() => expect(client.pair).toHaveBeenCalledWith('https://serval.example.com:8787', 'abcd-efgh'));
  });

  it('says when the pairing was revoked', async () => {
    render(<ServalApp client={fakeClient({ ...unpaired, unpairedReason: 'revoked' })} variant="options" />);
    expect(await screen.findByText(/pairing was revoked on the backend/)).toBeTruthy();
  });
});

describe('status', () => {
  it('shows the backend, this device and every application with its Stripe status, mode, masked key and last check', async () => {
    render(<ServalApp client={fakeClient(paired)} variant="options" />);
    expect(await screen.findByText('Reachable · version 0.1.0')).toBeTruthy();
    expect(screen.getByText('This device: Chrome on Linux')).toBeTruthy();
    const [billing, payouts, reports] = screen.getAllByRole('listitem').filter((li) => li.classList.contains('application'));
    expect(within(billing).getByText('Connected')).toBeTruthy();
    expect(within(billing).getByText('Live mode').className).toContain('mode-live');
    expect(within(billing).getByText('rk_live_…Ab12')).toBeTruthy();
    expect(billing.textContent).toContain('last check');
    expect(within(payouts).getByText('Missing permissions')).toBeTruthy();
    expect(within(payouts).getByText('Missing: Balance: Read')).toBeTruthy();
    expect(within(reports).getByText('Stripe not connected')).toBeTruthy();
    expect(within(reports).queryByRole('button', { name: /Re-check/ })).toBeNull();
  });

  it('shows Rotation due on an application whose key is due, and the environment an application declares', async () => {
    const dueReport: StatusReport = {
      ...report,
      status: { ...report.status, integrations: { ...report.status.integrations, rotationDue: 1 } },
      applications: [
        application({
          id: 'app_1',
          name: 'Billing',
          environment: 'live',
          stripe: integration({ mode: 'live', rotationDue: true, rotationDueAt: '2026-02-01T10:00:00.000Z' }),
        }),
        application({ id: 'app_2', name: 'Payouts', environment: 'test', stripe: integration({ applicationId: 'app_2' }) }),
        application({ id: 'app_3', name: 'Reports' }),
      ],
    };
    for (const variant of ['popup', 'options'] as const) {
      render(<ServalApp client={fakeClient(paired, { getStatus: vi.fn(async () => ok(dueReport)) })} variant={variant} />);
      await screen.findByText(/1 due for rotation/);
      const [billing, payouts, reports] = screen.getAllByRole('listitem').filter((li) => li.classList.contains('application'));
      expect(within(billing).getByText('Rotation due').className).toContain('rotation-due');
      expect(within(billing).getByText(/Rotation due since .*: create a new key in Stripe and send it to Serval/)).toBeTruthy();
      expect(within(billing).getByText('Live environment')).toBeTruthy();
      expect(within(payouts).queryByText(/Rotation due/)).toBeNull();
      expect(within(payouts).getByText('Test environment')).toBeTruthy();
      expect(reports.textContent).not.toMatch(/environment|Rotation due/);
      cleanup();
    }
  });

  it("names each key's Stripe account beside its id (which sandbox), and the keys that stop working soon", async () => {
    const inHours = (h: number) => new Date(Date.now() + h * 3600_000 + 60_000).toISOString();
    const sandboxReport: StatusReport = {
      ...report,
      status: { ...report.status, integrations: { ...report.status.integrations, expiringSoon: 2 } },
      applications: [
        application({
          id: 'app_1',
          name: 'Billing',
          stripe: integration({ accountId: 'acct_1SandboxA', accountName: 'Sandbox A', keyExpiresAt: inHours(23) }),
        }),
        application({ id: 'app_2', name: 'Payouts', stripe: integration({ applicationId: 'app_2', accountId: 'acct_1SandboxB', keyExpiresAt: inHours(-2) }) }),
        application({ id: 'app_3', name: 'Reports', stripeAccount: 'acct_1Org' }),
      ],
    };
    for (const variant of ['popup', 'options'] as const) {
      render(<ServalApp client={fakeClient(paired, { getStatus: vi.fn(async () => ok(sandboxReport)) })} variant={variant} />);
      await screen.findByText(/2 stopping working within 24 h/);
      const [billing, payouts, reports] = screen.getAllByRole('listitem').filter((li) => li.classList.contains('application'));
      expect(within(billing).getByText('Sandbox A (acct_1SandboxA)')).toBeTruthy();
      expect(within(billing).getByText('Stops working in 23 h').className).toContain('key-expiring');
      expect(within(billing).getByText(/^Stops working in 23 h \(.*\): this key was rotated in Stripe\. Send this application the new key\.$/)).toBeTruthy();
      // No name known (a restricted key may not read the account): the id alone.
      expect(within(payouts).getByText('acct_1SandboxB')).toBeTruthy();
      expect(within(payouts).getByText('Stopped working')).toBeTruthy();
      expect(within(reports).getByText('Stripe account acct_1Org')).toBeTruthy();
      cleanup();
    }
  });

  it('re-checks one application on demand and shows the new check', async () => {
    let answer!: (reply: Reply<never>) => void;
    const client = fakeClient(paired, { recheck: vi.fn(() => new Promise<Reply<never>>((resolve) => (answer = resolve))) });
    render(<ServalApp client={client} variant="options" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Re-check Payouts' }));
    expect(client.recheck).toHaveBeenCalledWith('app_2');
    expect(screen.getByRole('button', { name: 'Re-check Payouts' }).textContent).toBe('Checking…');
    answer(ok({ integration: integration({ applicationId: 'app_2', maskedKey: 'rk_test_…Cd34' }), validation: validation() }) as Reply<never>);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Re-check Payouts' }).textContent).toBe('Re-check'));
    expect(screen.queryByText('Missing: Balance: Read')).toBeNull();
  });

  it('shows a failed re-check instead of hiding it', async () => {
    const client = fakeClient(paired, {
      recheck: vi.fn(async () => ({
        ok: false as const,
        error: { code: 'stripe_unavailable', message: 'Stripe could not be reached, or did not answer in time.' },
      })),
    });
    render(<ServalApp client={client} variant="options" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Re-check Billing' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Stripe could not be reached');
    expect(alert.textContent).toContain('Nothing was changed');
  });

  it('sets the default application for new keys', async () => {
    const client = fakeClient(paired);
    render(<ServalApp client={client} variant="options" />);
    const select = (await screen.findByLabelText('Default application for new keys')) as HTMLSelectElement;
    expect(select.value).toBe('app_1');
    fireEvent.change(select, { target: { value: 'app_3' } });
    await waitFor(() => expect(client.setDefaultApplication).toHaveBeenCalledWith('app_3'));
    await waitFor(() => expect(select.value).toBe('app_3'));
  });

  it('links to Stripe’s create-key page pre-filled with the five permissions, in test and live mode', async () => {
    render(<ServalApp client={fakeClient(paired)} variant="popup" />);
    const test = (await screen.findByRole('link', { name: 'Create a restricted key for Serval (test mode)' })) as HTMLAnchorElement;
    const live = screen.getByRole('link', { name: 'Create a restricted key for Serval (live mode)' }) as HTMLAnchorElement;
    expect(test.href.startsWith('https://dashboard.stripe.com/test/apikeys/create?name=Serval')).toBe(true);
    expect(live.href.startsWith('https://dashboard.stripe.com/apikeys/create?name=Serval')).toBe(true);
    for (const scope of ['rak_charge_read', 'rak_customer_read', 'rak_customer_write', 'rak_balance_read', 'rak_balance_transaction_source_read']) {
      expect(live.href).toContain(`permissions[]=${scope}`);
    }
  });

  it('shows an unreachable backend with its hint, and refreshes', async () => {
    const getStatus = vi
      .fn<UiClient['getStatus']>()
      .mockResolvedValueOnce({ ok: false, error: { code: 'backend_unreachable', message: 'The Serval backend could not be reached.' } })
      .mockResolvedValueOnce(ok(report));
    render(<ServalApp client={fakeClient(paired, { getStatus })} variant="popup" />);
    expect((await screen.findByRole('alert')).textContent).toContain('npm start');
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findByText('Reachable · version 0.1.0')).toBeTruthy();
  });

  it('disconnects and returns to pairing', async () => {
    const client = fakeClient(paired);
    render(<ServalApp client={client} variant="options" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Disconnect' }));
    expect(await screen.findByRole('button', { name: 'Connect' })).toBeTruthy();
  });

  it('says so when the default application or Disconnect could not be saved, instead of failing silently', async () => {
    const unavailable = { ok: false as const, error: { code: 'extension_unavailable', message: 'The Serval extension is not responding.' } };
    const client = fakeClient(paired, { setDefaultApplication: vi.fn(async () => unavailable), disconnect: vi.fn(async () => unavailable) });
    render(<ServalApp client={client} variant="options" />);
    fireEvent.change(await screen.findByLabelText('Default application for new keys'), { target: { value: 'app_3' } });
    expect((await screen.findByRole('alert')).textContent).toContain('The Serval extension is not responding.');
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect' }));
    await waitFor(() => expect(client.disconnect).toHaveBeenCalled());
    expect((await screen.findByRole('alert')).textContent).toContain('Reload this page');
    expect(screen.getByRole('button', { name: 'Disconnect' })).toBeTruthy();
  });

  it('in the popup, opens the options and asks the tab in front to offer its keys again', async () => {
    const client = fakeClient(paired);
    render(<ServalApp client={client} variant="popup" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Offer keys on this page again' }));
    expect(await screen.findByText('Looking for keys on this page again.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Options' }));
    expect(client.openOptions).toHaveBeenCalled();
  });
});
