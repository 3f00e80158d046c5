/**
 * An organization key on the organization's API keys page, in a real Chromium with the built
 * extension: the key revealed on /org/api-keys/secret is offered; the card says "Organization key"
 * and that Stripe decides its mode; the account it acts on is typed for a new application; the
 * backend checks it with Stripe-Context and the card shows the mode Stripe answered.
 */
import { describe, expect, it } from 'vitest';
import { maskKey } from '../../shared/keys.js';
import { expectNoAxeViolations } from './accessibility.js';
import { useCardWorld } from './card-world.js';
import { DASHBOARD } from './dashboard.js';
import { offerFor, clickInCard } from './send-world.js';

const UI_TIMEOUT = 20_000;

const world = useCardWorld('e2e organization keys runner');

describe("the organization's API keys page", () => {
  it('offers a revealed sk_org_ key; the account is typed for a new application, and the card shows the mode Stripe answered', async () => {
    const { stripe, backend, token, dashboard, browser } = world;
    const sandbox = stripe.createAccount({ name: 'Sandbox A' });
    const organization = stripe.createOrganization([sandbox]);
    const orgKey = stripe.createKey({ type: 'organization', organization });
    dashboard.keys.org = orgKey;

    await world.pairExtension();

    const tab = await browser.context.newPage();
    await tab.goto(`${DASHBOARD}/org/api-keys/secret`);
    await tab.getByRole('button', { name: 'Reveal key' }).click();
    const card = await offerFor(tab, orgKey);
    await card.getByText('Organization key', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await card.getByText('Mode: decided by Stripe', { exact: true }).waitFor();
    expect(await card.innerText()).not.toContain(orgKey);

    // No application yet: a new one, named and given the account, by a person's typing.
    await card.getByRole('textbox', { name: 'Name of the new application' }).pressSequentially('Org billing');
    await card.getByRole('textbox', { name: 'Stripe account' }).pressSequentially(sandbox);
    await expectNoAxeViolations(tab, 'card', 'an organization key, its account typed');
    await clickInCard(card.getByRole('button', { name: 'Send to Serval' }));
    await card.getByText(/Connected to Org billing/).waitFor({ timeout: UI_TIMEOUT });
    await card.getByText('Test mode', { exact: true }).first().waitFor();
    expect(await card.innerText()).toContain('Sandbox A');
    await expectNoAxeViolations(tab, 'card', 'an organization key connected');

    const listed = await backend.api('GET', '/api/applications', { token });
    const created = listed.body.applications.find((a: { name: string }) => a.name === 'Org billing');
    expect(created).toMatchObject({
      stripeAccount: sandbox,
      stripe: { keyType: 'organization', mode: 'test', maskedKey: maskKey(orgKey), accountName: 'Sandbox A' },
    });
    // Every call the check made named the account.
    const calls = stripe.requests.filter((r) => String(r.headers.authorization).includes(orgKey));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((r) => r.headers['stripe-context'] === sandbox)).toBe(true);
    await tab.close();
  }, 120_000);
});
