/** The offer card with an organization key (sk_org_…): its mode is Stripe's to say, and it acts on the account its application names. */
import { cleanup, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OfferCard } from '../../extension/card/OfferCard';
import { fail, fakeClient, member, ok, owner } from './card-fakes';
import { application, body99, integration, validation } from './fixtures';
import { byPerson } from './person';

afterEach(cleanup);

const ORGANIZATION_KEY = `sk_org_${body99}`;
const organizationKey = { key: ORGANIZATION_KEY, keyType: 'organization' as const, mode: null, maskedKey: 'sk_org_…8Hn0' };

describe('the offer card with an organization key', () => {
  it('says "Organization key" and that Stripe decides its mode, then shows the mode Stripe answered', async () => {
    const answered = {
      integration: integration({ keyType: 'organization', mode: 'live', maskedKey: 'sk_org_…8Hn0' }),
      validation: validation({ keyType: 'organization', mode: 'live' }),
    };
    const client = fakeClient({
      listApplications: async () =>
        ok({ applications: [application({ stripeAccount: 'acct_1Org' })], defaultApplicationId: 'app_1', person: { ...member, role: 'admin' as const } }),
      sendKey: async () => ok(answered),
    });
    render(<OfferCard offer={organizationKey} client={client} onDismiss={() => {}} />);
    expect(screen.getByText('Organization key')).toBeTruthy();
    expect(screen.getByText('Mode: decided by Stripe')).toBeTruthy();
    expect(screen.queryByText(/processes real payments/)).toBeNull();
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText(/Connected to Billing/)).toBeTruthy();
    expect(screen.getAllByText('Live mode')[0].className).toContain('mode-live');
    expect(screen.getByText(/Live mode: processes real payments/).className).toContain('live-warning');
    expect(screen.queryByText('Mode: decided by Stripe')).toBeNull();
  });

  it('lets a member send one (the backend refuses it after the check if Stripe says live)', async () => {
    const client = fakeClient({
      listApplications: async () => ok({ applications: [application({ stripeAccount: 'acct_1Org' })], defaultApplicationId: null, person: member }),
    });
    render(<OfferCard offer={organizationKey} client={client} onDismiss={() => {}} />);
    expect(await screen.findByRole('button', { name: 'Send to Serval' })).toBeTruthy();
  });

  it('picks an application that names its account: shown beside its name, and the key sent as it is', async () => {
    const client = fakeClient({
      listApplications: vi.fn(async () =>
        ok({
          applications: [application(), application({ id: 'app_2', name: 'Payouts', stripeAccount: 'acct_1SandboxA' })],
          defaultApplicationId: 'app_2',
          person: owner,
        }),
      ),
    });
    render(<OfferCard offer={organizationKey} client={client} onDismiss={() => {}} />);
    const picker = (await screen.findByRole('combobox', { name: 'Application' })) as HTMLSelectElement;
    expect([...picker.options].map((o) => o.text)).toEqual(['Billing', 'Payouts (acct_1SandboxA)', 'New application…']);
    expect(screen.getByText('Acts on Stripe account acct_1SandboxA.')).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: 'Stripe account' })).toBeNull();
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval' }));
    await waitFor(() => expect(client.sendKey).toHaveBeenCalledWith('app_2', ORGANIZATION_KEY));
    expect(client.setStripeAccount).not.toHaveBeenCalled();
  });

  it("types the account for an application that names none (an admin's change), then sends; a malformed id goes nowhere", async () => {
    const client = fakeClient();
    render(<OfferCard offer={organizationKey} client={client} onDismiss={() => {}} />);
    byPerson.change(await screen.findByRole('combobox', { name: 'Application' }), { target: { value: 'app_1' } });
    const field = screen.getByRole('textbox', { name: 'Stripe account' });
    expect(field.getAttribute('aria-describedby')).toBeTruthy();
    byPerson.input(field, { target: { value: 'acct 1 nope' } });
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText(/Type the Stripe account this organization key acts on/)).toBeTruthy();
    expect(client.setStripeAccount).not.toHaveBeenCalled();
    expect(client.sendKey).not.toHaveBeenCalled();

    byPerson.input(screen.getByRole('textbox', { name: 'Stripe account' }), { target: { value: ' acct_1SandboxB ' } });
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval' }));
    await waitFor(() => expect(client.sendKey).toHaveBeenCalledWith('app_1', ORGANIZATION_KEY));
    expect(client.setStripeAccount).toHaveBeenCalledWith('app_1', 'acct_1SandboxB');
    expect((client.setStripeAccount as ReturnType<typeof vi.fn>).mock.invocationCallOrder[0]).toBeLessThan(
      (client.sendKey as ReturnType<typeof vi.fn>).mock.invocationCallOrder[0],
    );
  });

  it('creates a new application with the account typed (a member may), and shows a refused change without sending', async () => {
    const client = fakeClient({ listApplications: vi.fn(async () => ok({ applications: [application()], defaultApplicationId: null, person: member })) });
    render(<OfferCard offer={organizationKey} client={client} onDismiss={() => {}} />);
    // A member: an existing application without an account is not theirs to point anywhere.
    expect(await screen.findByText(/Billing names no Stripe account, and only an admin can set one/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send to Serval' }) as HTMLButtonElement).disabled).toBe(true);
    byPerson.change(screen.getByRole('combobox', { name: 'Application' }), { target: { value: '__new__' } });
    byPerson.input(screen.getByRole('textbox', { name: 'Name of the new application' }), { target: { value: 'Org billing' } });
    byPerson.input(screen.getByRole('textbox', { name: 'Stripe account' }), { target: { value: 'acct_1SandboxA' } });
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval' }));
    await waitFor(() => expect(client.sendKey).toHaveBeenCalledWith('app_new', ORGANIZATION_KEY));
    expect(client.createApplication).toHaveBeenCalledWith('Org billing', 'acct_1SandboxA');

    cleanup();
    const refused = fakeClient({ setStripeAccount: vi.fn(async () => fail('forbidden', 'Only an admin can change an application’s Stripe account.')) });
    render(<OfferCard offer={organizationKey} client={refused} onDismiss={() => {}} />);
    byPerson.change(await screen.findByRole('combobox', { name: 'Application' }), { target: { value: 'app_1' } });
    byPerson.input(screen.getByRole('textbox', { name: 'Stripe account' }), { target: { value: 'acct_1SandboxA' } });
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText(/Only an admin can change/)).toBeTruthy();
    expect(refused.sendKey).not.toHaveBeenCalled();
  });

  it('ignores a script typing the account', async () => {
    const client = fakeClient();
    render(<OfferCard offer={organizationKey} client={client} onDismiss={() => {}} />);
    byPerson.change(await screen.findByRole('combobox', { name: 'Application' }), { target: { value: 'app_1' } });
    const field = screen.getByRole('textbox', { name: 'Stripe account' }) as HTMLInputElement;
    field.value = 'acct_1Attacker';
    field.dispatchEvent(new Event('input', { bubbles: true }));
    expect(field.value).toBe('');
  });
});
