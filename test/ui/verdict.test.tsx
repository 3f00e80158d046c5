/** The verdict on a Stripe integration, as the offer card and the console both show it (ui/Verdict.tsx). */
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { allPermissions, createRestrictedKeyUrl } from '../../shared/permissions.js';
import { Verdict, type VerdictProps } from '../../ui/Verdict';
import { integration, validation } from '../extension/fixtures';

afterEach(cleanup);

/** As the card shows it: a sentence naming the application the key was just sent to. */
function inCard(props: Partial<VerdictProps>) {
  return render(<Verdict integration={integration()} validation={validation()} applicationName="Billing" newKeyStep="send the new key" {...props} />);
}

/** As the console shows it: the status pill and the key's facts. */
function inConsole(props: Partial<VerdictProps>) {
  return render(<Verdict integration={integration()} validation={null} facts newKeyStep="save the new key here" {...props} />);
}

const missing = () => {
  const granted = { ...allPermissions(true), balance_read: false, customers_write: false };
  return integration({ status: 'missing_permissions', permissions: granted, missingPermissions: ['balance_read', 'customers_write'] });
};

describe('the verdict', () => {
  it('connected, in the card: names the application, the account and the permissions granted', () => {
    const { container } = inCard({});
    expect(screen.getByText('Connected to Billing. Stripe accepted the key for acct_1Serval.').className).toBe('ok');
    expect(screen.getByText(/Permissions: Charges: Read, Customers: Read, Customers: Write, Balance: Read/)).toBeTruthy();
    expect(container.querySelector('.verdict')!.className).toBe('verdict verdict-connected');
    expect(container.querySelector('.pill, .facts')).toBeNull();
  });

  it('names the account by its name in Stripe beside its id (which sandbox), and says when a rotated key stops working', () => {
    const named = integration({ accountName: 'Sandbox A', keyType: 'organization', maskedKey: 'sk_org_…Hn0', keyExpiresAt: '2026-01-02T10:00:00.000Z' });
    inCard({ integration: named });
    expect(screen.getByText('Connected to Billing. Stripe accepted the key for Sandbox A (acct_1Serval).')).toBeTruthy();
    const { container } = inConsole({ integration: named });
    const facts = [...container.querySelectorAll('.facts dt')].map((dt) => `${dt.textContent}: ${dt.nextElementSibling!.textContent}`);
    expect(facts).toEqual(
      expect.arrayContaining([
        'Type: Organization key',
        'Account: Sandbox A acct_1Serval',
        `Stops working: ${new Date('2026-01-02T10:00:00.000Z').toLocaleString()}`,
      ]),
    );
  });

  it('connected, in the console: the status pill, then type, mode, masked key, account and last check', () => {
    const { container } = inConsole({ integration: integration({ mode: 'live', maskedKey: 'rk_live_…Hn0' }) });
    expect(screen.getByText('Connected').className).toBe('pill status-connected');
    const facts = [...container.querySelectorAll('.facts dt')].map((dt) => `${dt.textContent}: ${dt.nextElementSibling!.textContent}`);
    expect(facts).toEqual([
      'Type: Restricted key',
      'Mode: Live mode Live mode: processes real payments',
      'Key: rk_live_…Hn0',
      'Account: acct_1Serval',
      `Last check: ${new Date('2026-01-01T10:00:00.000Z').toLocaleString()}`,
    ]);
    expect(screen.queryByText(/Connected to/)).toBeNull();
  });

  it.each([
    ['the card', inCard, 'Stored in Billing, but the key is missing permissions Serval needs:', ', then send the new key.'],
    ['the console', inConsole, 'The key is missing permissions Serval needs:', ', then save the new key here.'],
  ] as const)('missing permissions, in %s: lists them, with the edit link and the pre-filled create link', (_where, show, lead, end) => {
    const { container } = show({ integration: missing() });
    expect(screen.getByText(lead).className).toBe('warn');
    expect([...container.querySelectorAll('.missing li')].map((li) => li.textContent)).toEqual(['Balance: Read', 'Customers: Write']);
    expect(screen.getByRole('link', { name: "Edit the key's permissions in Stripe" }).getAttribute('href')).toBe('https://dashboard.stripe.com/test/apikeys');
    const create = screen.getByRole('link', { name: "create a restricted key with Serval's permissions" });
    expect(create.getAttribute('href')).toBe(createRestrictedKeyUrl('test'));
    expect(create.getAttribute('target')).toBe('_blank');
    expect(create.parentElement!.textContent!.endsWith(end)).toBe(true);
  });

  it('missing permissions in live mode links to the live pages', () => {
    inConsole({ integration: integration({ ...missing(), mode: 'live' }) });
    expect(screen.getByRole('link', { name: "Edit the key's permissions in Stripe" }).getAttribute('href')).toBe('https://dashboard.stripe.com/apikeys');
    expect(screen.getByRole('link', { name: "create a restricted key with Serval's permissions" }).getAttribute('href')).toBe(createRestrictedKeyUrl('live'));
  });

  const refused = { code: 'invalid_api_key', message: 'Stripe does not recognise this key.' };

  it('invalid: the stored key’s error with the integration guide’s hint', () => {
    inConsole({ integration: integration({ status: 'invalid', lastError: refused }) });
    expect(screen.getByText('Invalid key').className).toBe('pill status-invalid');
    expect(screen.getByText('Stripe does not recognise this key.').className).toBe('warn');
    expect(screen.getByText(/Verify the key hasn't been deleted or rotated/).className).toBe('hint');
    cleanup();
    inCard({ integration: integration({ status: 'invalid', lastError: refused }) });
    expect(screen.getByText('Stored in Billing: invalid key: Stripe does not recognise this key.')).toBeTruthy();
    expect(screen.getByText(/Verify the key hasn't been deleted or rotated/)).toBeTruthy();
  });

  it('unverified: says it was not checked, with the error and its hint when there is one', () => {
    inCard({ integration: integration({ status: 'unverified' }) });
    expect(screen.getByText('Stored in Billing: not checked yet.')).toBeTruthy();
    expect(document.querySelector('.hint')).toBeNull();
    cleanup();
    inConsole({ integration: integration({ status: 'unverified', lastError: { code: 'stripe_unavailable', message: 'Stripe could not be reached.' } }) });
    expect(screen.getByText('Not checked yet').className).toBe('pill status-unverified');
    expect(screen.getByText('Stripe could not be reached.')).toBeTruthy();
    expect(screen.getByText(/Check status.stripe.com/).className).toBe('hint');
  });

  it('says a key is due for rotation', () => {
    inConsole({ integration: integration({ rotationDue: true }) });
    expect(screen.getByText('This key is due for rotation.').className).toBe('warn');
    cleanup();
    inConsole({});
    expect(screen.queryByText(/due for rotation/)).toBeNull();
  });

  it('shows the check’s warnings, but not the ones it or its caller says in other words', () => {
    const warnings = [
      { code: 'missing_permissions', message: 'The key is missing 2 permissions.' },
      { code: 'live_mode', message: 'This is a live key: it processes real payments.' },
      { code: 'secret_key_full_access', message: 'A secret key can do everything.' },
      { code: 'account_changed', message: 'The new key belongs to acct_Other, not acct_1Serval.' },
    ];
    const { container } = inConsole({ integration: missing(), validation: validation({ warnings }), saidElsewhere: new Set(['secret_key_full_access']) });
    expect([...container.querySelectorAll('.warnings li')].map((li) => li.textContent)).toEqual(['The new key belongs to acct_Other, not acct_1Serval.']);
    cleanup();
    // Without the facts the live warning is the verdict's to say, unless the caller says it.
    const card = inCard({ validation: validation({ warnings }) });
    expect([...card.container.querySelectorAll('.warnings li')].map((li) => li.textContent)).toEqual([
      'This is a live key: it processes real payments.',
      'A secret key can do everything.',
      'The new key belongs to acct_Other, not acct_1Serval.',
    ]);
    cleanup();
    inConsole({ validation: null });
    expect(document.querySelector('.warnings')).toBeNull();
  });

  it('says first when the key belongs to another account than the dashboard shows', () => {
    const { container } = inCard({ validation: validation({ accountId: 'acct_Other2' }), dashboardAccountId: 'acct_Dashboard1' });
    const warning = screen.getByText(/This key belongs to Stripe account acct_Other2, not acct_Dashboard1 shown in the dashboard/);
    expect(warning.textContent).toContain('the account you meant to connect to Billing.');
    expect(container.querySelector('.verdict')!.firstElementChild).toBe(warning);
    cleanup();
    inCard({ validation: validation({ accountId: 'acct_Dashboard1' }), dashboardAccountId: 'acct_Dashboard1' });
    expect(screen.queryByText(/This key belongs to Stripe account/)).toBeNull();
  });
});
