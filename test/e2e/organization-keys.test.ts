/**
 * An organization key on the organization's API keys page, in a real Chromium with the built
 * extension: the key revealed on /org/api-keys/secret is offered; the card says "Organization key"
 * and that Stripe decides its mode; the account it acts on is typed for a new application; the
 * backend checks it with Stripe-Context and the card shows the mode Stripe answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskKey } from '../../shared/keys.js';
import type { StripeTestServer } from '../stripe-server/index.js';
import { expectNoAxeViolations } from './accessibility.js';
import { startBackendWithStripe, type Backend, type BackendWithStripe } from './backend.js';
import { launchWithExtension, type ExtensionBrowser } from './chromium.js';
import { DASHBOARD, serveDashboard, type Dashboard } from './dashboard.js';
import { EXTENSION_DIR } from './global-setup.js';
import { offerFor } from './send-world.js';

const UI_TIMEOUT = 20_000;

let services: BackendWithStripe;
let stripe: StripeTestServer;
let backend: Backend;
let browser: ExtensionBrowser;
let dashboard: Dashboard;
let token: string;

beforeAll(async () => {
  services = await startBackendWithStripe();
  ({ stripe, backend } = services);
  ({ token } = await backend.pairDevice('e2e organization keys runner'));
  browser = await launchWithExtension(EXTENSION_DIR);
  dashboard = await serveDashboard(browser.context);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await services?.stop();
}, 60_000);

describe("the organization's API keys page", () => {
  it('offers a revealed sk_org_ key; the account is typed for a new application, and the card shows the mode Stripe answered', async () => {
    const sandbox = stripe.createAccount({ name: 'Sandbox A' });
    const organization = stripe.createOrganization([sandbox]);
    const orgKey = stripe.createKey({ type: 'organization', organization });
    dashboard.keys.org = orgKey;

    const options = await browser.openExtensionPage('options.html');
    await options.getByLabel('Backend URL').fill(backend.url);
    await options.getByLabel('Pairing code').fill(backend.printedPairingCode);
    await options.getByRole('button', { name: 'Connect' }).click();
    await options.getByText('Reachable', { exact: false }).first().waitFor({ timeout: UI_TIMEOUT });
    await options.close();

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
    await card.getByRole('button', { name: 'Send to Serval' }).click();
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
