/** The offer card with an organization key (sk_org_…): its mode is Stripe's to say, and it acts on the account its application names. */
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { OfferCard } from '../../extension/card/OfferCard';
import { fakeClient, member, ok } from './card-fakes';
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
});
