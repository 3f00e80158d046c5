/**
 * The product the way a person uses it, in a real Chromium with the built extension loaded:
 * pair in the options page, reveal or create a key on the (fixture) Stripe Dashboard, Send to
 * Serval, read the verdict in the page and in the popup. The backend is the real one, started as
 * a child process; Stripe is the Stripe-compatible test server.
 *
 * The tests share one browser, one backend and one dashboard tab (send-world.ts), and run in order: each flow
 * starts where the previous one left the product (paired, then connected, …). Every state a person
 * sees — the options page before and after pairing, the popup, the card before and after each
 * verdict — is also checked with axe-core and for what axe cannot see (accessibility.ts), in the
 * light and the dark colour scheme.
 */
import { describe, expect, it } from 'vitest';
import { maskKey } from '../../shared/keys.js';
import { expectLegible, expectNoAxeViolations, focusedElement } from './accessibility.js';
import { DASHBOARD } from './dashboard.js';
import {
  UI_TIMEOUT,
  OPTIONS_VIEWPORT,
  stripe,
  backend,
  browser,
  dashboard,
  tab,
  applications,
  newKey,
  screenshot,
  offerFor,
  offerCount,
  offerGone,
  chooseApplication,
  expectNoHorizontalOverflow,
  api,
  useSendWorld,
  expectNoKeyAnywhere,
  closeOffer,
  clickInCard,
} from './send-world.js';

useSendWorld();

describe('Send to Serval, in a real browser', () => {
  it('pairs through the options page', async () => {
    const options = await browser.openExtensionPage('options.html', OPTIONS_VIEWPORT);
    const backendUrl = options.getByLabel('Backend URL');
    await backendUrl.waitFor();
    expect(await backendUrl.inputValue()).toBe('http://127.0.0.1:8787'); // the documented default
    await expectNoAxeViolations(options, 'page', 'options before pairing');
    await expectLegible(options, 'page', 'options before pairing');

    // A backend off this computer over plain http:// is refused on the spot, next to the field.
    await backendUrl.fill('http://serval.example.com:8787');
    await options.getByLabel('Pairing code').fill('ABCD-EFGH');
    await options.getByRole('button', { name: 'Connect' }).click();
    const refusal = options.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain("Use https:// for a backend that isn't on this computer");
    expect(await backendUrl.getAttribute('aria-invalid')).toBe('true');
    expect(await focusedElement(options)).toMatchObject({ tag: 'input', name: 'Backend URL' });
    await expectNoAxeViolations(options, 'page', 'options: Backend URL refused');
    await options.reload(); // a fresh form for the picture

    await backendUrl.fill(backend.url);
    await options.getByLabel('Pairing code').fill(backend.printedPairingCode.toLowerCase().replace('-', '')); // any case, hyphen optional
    await screenshot(options, 'options-pairing.png');
    await options.getByRole('button', { name: 'Connect' }).click();

    // The status view: the backend is reachable, this device is named, the applications are listed.
    await options.getByText('Reachable', { exact: false }).first().waitFor({ timeout: UI_TIMEOUT });
    await options.getByText('This device:', { exact: false }).waitFor();
    // The first pairing on a backend without people is Owner's, an admin.
    await options.getByText('Paired as Owner (Admin)').waitFor({ timeout: UI_TIMEOUT });
    await options.getByRole('listitem').filter({ hasText: 'Payouts' }).waitFor();
    await options.getByLabel('Pairing code').waitFor({ state: 'detached' });
    await expectNoAxeViolations(options, 'page', 'options after pairing');
    await expectLegible(options, 'page', 'options after pairing');
    await options.close();

    // The backend now knows two devices: this test's, and the browser's.
    const devices = await api('GET', '/api/devices');
    expect(devices.status).toBe(200);
    expect(devices.body.devices).toHaveLength(2);
    // The printed code was spent.
    const again = await backend.api('POST', '/api/pair', { body: { code: backend.printedPairingCode, deviceName: 'x' } });
    expect(again.status).toBe(401);
  });

  it('offers Send to Serval on a key revealed after in-app navigation to the API keys page', async () => {
    const secretKey = newKey({ type: 'secret', mode: 'test' });
    dashboard.keys.reveal = secretKey;

    await tab.goto(`${DASHBOARD}/test/dashboard`);
    await tab.getByRole('heading', { name: 'Today' }).waitFor();
    // Developers → API keys, without loading a new document (history.pushState).
    await tab.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await tab.getByRole('heading', { name: 'API keys' }).waitFor();
    expect(new URL(tab.url()).pathname).toBe('/test/apikeys');

    await tab.getByRole('button', { name: 'Reveal test key' }).click();
    await tab.getByText(secretKey).waitFor(); // the page swapped the masked token for the key

    const card = await offerFor(tab, secretKey);
    await card.waitFor({ timeout: UI_TIMEOUT });
    await card.getByRole('button', { name: 'Send to Serval' }).waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => card.innerText(), { timeout: UI_TIMEOUT }).toContain('Secret key');
    expect(await card.innerText()).toContain('Test mode');
    // The full key is never rendered in the card, only its masked form.
    expect(await card.innerText()).not.toContain(secretKey);
    // Only the revealed key: the publishable key and the masked tokens on the page got no offer.
    expect(await offerCount(tab)).toBe(1);
    await screenshot(card, 'offer.png');
    await expectNoAxeViolations(tab, 'card', 'the offer, before sending');
    await expectLegible(tab, 'card', 'the offer, before sending');
  });

  it('picks the application, sends the key, and shows the verdict in the page', async () => {
    const secretKey = dashboard.keys.reveal!;
    const card = await offerFor(tab, secretKey);
    const picker = card.getByLabel('Application', { exact: true });
    await picker.waitFor();
    const choices = await picker.locator('option').allInnerTexts();
    expect(choices).toEqual(expect.arrayContaining(['Billing', 'Payouts', 'Ledger']));
    // The card comes right after the key in the tab order: Shift+Tab from the dashboard's button
    // beside the key (Reveal, now Hide) reaches it.
    await tab.getByRole('button', { name: 'Hide test key' }).focus();
    await tab.keyboard.press('Shift+Tab');
    expect(await focusedElement(tab)).toMatchObject({ host: 'serval-key-offer', tag: 'button', text: 'Send to Serval' });
    await chooseApplication(picker, 'Payouts');

    await clickInCard(card.getByRole('button', { name: 'Send to Serval' }));
    const verdict = card.getByText('Connected to Payouts', { exact: false });
    await verdict.waitFor({ timeout: UI_TIMEOUT });
    const text = await card.innerText();
    expect(text).toContain(stripe.defaultAccountId);
    expect(text).toContain('Charges: Read');
    await screenshot(card, 'offer-connected.png');
    await expectNoHorizontalOverflow(card);
    await expectNoAxeViolations(tab, 'card', 'the verdict: connected');
    await expectLegible(tab, 'card', 'the verdict: connected');

    // Closing the card (its ×, named Close) gives focus back to where it was before the card: the
    // dashboard's Hide button.
    await closeOffer(card);
    await offerGone(tab, secretKey);
    expect(await focusedElement(tab)).toMatchObject({ host: null, tag: 'button', text: 'Hide test key' });
  });

  it('the backend has the key (checked through the REST API)', async () => {
    const secretKey = dashboard.keys.reveal!;
    const res = await api('GET', `/api/applications/${applications.Payouts}/integrations/stripe`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.integration).toMatchObject({
      applicationId: applications.Payouts,
      provider: 'stripe',
      keyType: 'secret',
      mode: 'test',
      maskedKey: maskKey(secretKey),
      accountId: stripe.defaultAccountId,
      status: 'connected',
      missingPermissions: [],
      source: 'extension',
    });
    // Only Payouts was chosen.
    const others = await api('GET', `/api/applications/${applications.Billing}/integrations/stripe`);
    expect(others.status).toBe(404);
    // The stored key works: a workflow through it reaches Stripe.
    const balance = await api('GET', `/api/applications/${applications.Payouts}/stripe/balance`);
    expect(balance.status, balance.text).toBe(200);
    expect(balance.body.object).toBe('balance');
  });

  it('after everything, neither extension storage (local and session) nor the backend holds a key', async () => {
    await expectNoKeyAnywhere();
  });
});
