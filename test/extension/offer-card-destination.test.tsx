/** What the offer card says about where the key would go: another Stripe account than the dashboard shows, a key due for rotation, the declared environment. */
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OfferCard } from '../../extension/card/OfferCard';
import { fakeClient, ok, restrictedTest } from './card-fakes';
import { application, integration, validation } from './fixtures';
import { byPerson } from './person';

afterEach(cleanup);

describe('a key from another Stripe account than the dashboard shows', () => {
  const onAccountPage = { ...restrictedTest, page: { kind: 'apikeys' as const, mode: 'test' as const, accountId: 'acct_Dashboard1' } };

  it('is said first in the verdict, naming both accounts', async () => {
    const client = fakeClient({
      sendKey: vi.fn(async () => ok({ integration: integration({ accountId: 'acct_Other2' }), validation: validation({ accountId: 'acct_Other2' }) })),
    });
    render(<OfferCard offer={onAccountPage} client={client} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    const warning = await screen.findByText(/This key belongs to Stripe account acct_Other2, not acct_Dashboard1 shown in the dashboard/);
    expect(warning.className).toContain('warn');
    const verdict = screen.getByRole('status').querySelector('.verdict')!;
    expect(verdict.firstElementChild).toBe(warning);
  });

  it('is not said when the accounts match, or when either is unknown', async () => {
    for (const [page, accountId] of [
      [onAccountPage.page, 'acct_Dashboard1'],
      [{ ...onAccountPage.page, accountId: null }, 'acct_Other2'],
      [onAccountPage.page, null],
    ] as const) {
      const client = fakeClient({ sendKey: vi.fn(async () => ok({ integration: integration({ accountId }), validation: validation({ accountId }) })) });
      render(<OfferCard offer={{ ...restrictedTest, page }} client={client} onDismiss={() => {}} />);
      byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
      await screen.findByText(/Connected to Payouts/);
      expect(screen.queryByText(/This key belongs to Stripe account/)).toBeNull();
      cleanup();
    }
  });
});

describe('Rotation due and the environment on the card', () => {
  it('says the chosen application’s key is due for rotation, and which environment it declares', async () => {
    const client = fakeClient({
      listApplications: vi.fn(async () =>
        ok({
          applications: [
            application({ environment: 'test', stripe: integration({ rotationDue: true, maskedKey: 'rk_test_…old1' }) }),
            application({ id: 'app_2', name: 'Payouts', environment: 'live', stripe: integration({ applicationId: 'app_2' }) }),
            application({ id: 'app_3', name: 'Reports' }),
          ],
          defaultApplicationId: 'app_1',
          person: null,
        }),
      ),
    });
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    const picker = await screen.findByRole('combobox', { name: 'Application' });
    expect(screen.getByText(/Replaces its current key/).textContent).toContain('Rotation due.');
    expect(screen.getByText('Test environment.')).toBeTruthy();
    byPerson.change(picker, { target: { value: 'app_2' } });
    expect(screen.queryByText(/Rotation due/)).toBeNull();
    expect(screen.getByText('Live environment: this test mode key does not belong here.')).toBeTruthy();
    byPerson.change(picker, { target: { value: 'app_3' } });
    expect(screen.queryByText(/environment/)).toBeNull();
  });
});
