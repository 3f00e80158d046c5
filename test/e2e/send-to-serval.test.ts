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
  POPUP_VIEWPORT,
  OPTIONS_VIEWPORT,
  stripe,
  backend,
  browser,
  dashboard,
  tab,
  testDeviceId,
  applications,
  newKey,
  screenshot,
  offerFor,
  offerCount,
  offerGone,
  chooseApplication,
  chosenApplication,
  expectNoSidewaysScroll,
  backendRequests,
  expectNoHorizontalOverflow,
  api,
  storageContents,
  useSendWorld,
  expectNoKeyAnywhere,
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

    await card.getByRole('button', { name: 'Send to Serval' }).click();
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
    await card.getByRole('button', { name: 'Close', exact: true }).click();
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

  it("a script on the Stripe page can neither read nor drive the card; a person's click sends what the picker shows, and focus stays in the card", async () => {
    // Payouts holds the key sent above and is now the default application: what a page script would go for.
    const key = newKey({ type: 'restricted', mode: 'test' });
    dashboard.keys.reveal = key;
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.getByRole('button', { name: 'Reveal test key' }).click();
    const card = await offerFor(tab, key);
    const send = card.getByRole('button', { name: 'Send to Serval' });
    await send.waitFor({ timeout: UI_TIMEOUT });
    const picker = card.getByLabel('Application', { exact: true });
    await expect.poll(() => chosenApplication(picker)).toBe('Payouts');
    await backend.logWritten();
    const requestsBefore = backendRequests().length;

    // The page's own script tries everything it can reach: the host's shadow root, the frames, the
    // frame's document, synthetic events on the host and at the card's place on screen, messages.
    const seen = await tab.evaluate((masked) => {
      const page = globalThis as any; // runs in the page (this project has no DOM types)
      const host = page.document.querySelector('serval-key-offer');
      const rect = host.getBoundingClientRect();
      const frameDocuments: string[] = [];
      for (let i = 0; i < page.frames.length; i++) {
        try {
          frameDocuments.push(String(page.frames[i].document?.body?.innerText));
        } catch (error) {
          frameDocuments.push(`refused: ${(error as Error).name}`);
        }
        page.frames[i].postMessage({ type: 'serval:card-frame', event: 'close', slot: '1' }, '*');
        page.frames[i].postMessage({ applicationId: 'Billing', send: true }, '*');
      }
      for (const type of ['pointerdown', 'mousedown', 'mouseup', 'click']) {
        const init = { bubbles: true, composed: true, clientX: rect.left + rect.width / 2, clientY: rect.bottom - 30 };
        host.dispatchEvent(new page.MouseEvent(type, init));
        page.document.elementFromPoint(init.clientX, init.clientY)?.dispatchEvent(new page.MouseEvent(type, init));
      }
      host.dispatchEvent(new page.KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
      return {
        shadowRoot: host.shadowRoot,
        hostText: host.textContent,
        hostHtml: host.innerHTML,
        pageText: page.document.documentElement.innerHTML.includes(masked),
        iframesInDocument: page.document.querySelectorAll('iframe').length,
        frameDocuments,
      };
    }, maskKey(key));
    expect(seen.shadowRoot).toBeNull(); // closed
    expect(seen.hostText).toBe('');
    expect(seen.hostHtml).toBe('');
    expect(seen.pageText).toBe(false); // nothing of the card, not even the masked key
    expect(seen.iframesInDocument).toBe(0);
    for (const read of seen.frameDocuments) expect(read).toMatch(/^refused: /); // another origin: unreachable
    // None of that moved the card: still the offer, Payouts chosen.
    await expect.poll(() => chosenApplication(picker)).toBe('Payouts');
    expect(await send.isEnabled()).toBe(true);

    // What is shown is what is sent: the picker shows Payouts, and a person's click sends there.
    // It goes the same way as anything the script could have started, after it: when the person's
    // PUT has arrived, a send the script started would have too, so the one PUT below is the proof
    // that none did.
    expect(await chosenApplication(picker)).toBe('Payouts');
    await send.click();
    await card.getByText('Connected to Payouts', { exact: false }).waitFor({ timeout: UI_TIMEOUT });
    await expect
      .poll(
        () =>
          backendRequests()
            .slice(requestsBefore)
            .filter((r) => r.method === 'PUT').length,
        { timeout: UI_TIMEOUT },
      )
      .toBeGreaterThan(0);
    const sent = backendRequests()
      .slice(requestsBefore)
      .filter((r) => r.method !== 'GET');
    expect(sent).toEqual([{ method: 'PUT', path: `/api/applications/${applications.Payouts}/integrations/stripe` }]);
    expect((await api('GET', `/api/applications/${applications.Billing}/integrations/stripe`)).status).toBe(404);

    // The Send button is gone; keyboard focus moved to the verdict, inside the card, not to <body>.
    await expect
      .poll(() => focusedElement(tab), { timeout: UI_TIMEOUT })
      .toMatchObject({ host: 'serval-key-offer', role: 'status', text: expect.stringContaining('Connected to Payouts') });
  });

  it('a revoked device returns the extension to pairing', async () => {
    const devices = await api('GET', '/api/devices');
    const extensionDevice = devices.body.devices.find((d: { id: string }) => d.id !== testDeviceId);
    expect(extensionDevice, JSON.stringify(devices.body)).toBeDefined();
    const revoked = await api('DELETE', `/api/devices/${extensionDevice.id}`);
    expect(revoked.status).toBe(204);

    // The next key revealed: the card says the pairing was revoked and leads to the options.
    const key = newKey({ type: 'secret', mode: 'test' });
    dashboard.keys.reveal = key;
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.getByRole('button', { name: 'Reveal test key' }).click();
    const card = await offerFor(tab, key);
    await card
      .getByText(/revoked|not paired/i)
      .first()
      .waitFor({ timeout: UI_TIMEOUT });
    await card.getByRole('button', { name: /options/i }).waitFor();
    expect(await card.getByRole('button', { name: 'Send to Serval' }).count()).toBe(0);
    await screenshot(card, 'offer-not-paired.png');
    await expectNoAxeViolations(tab, 'card', 'the card: pairing revoked');
    await expectLegible(tab, 'card', 'the card: pairing revoked');

    // The options page is back to pairing, and says why.
    const options = await browser.openExtensionPage('options.html');
    await options.getByLabel('Pairing code').waitFor({ timeout: UI_TIMEOUT });
    await options.getByRole('button', { name: 'Connect' }).waitFor();
    await options
      .getByText(/revoked/i)
      .first()
      .waitFor();
    await expectNoAxeViolations(options, 'page', 'options: pairing revoked');
    await options.close();

    // The popup too.
    const popup = await browser.openExtensionPage('popup.html', POPUP_VIEWPORT);
    await popup.getByLabel('Pairing code').waitFor({ timeout: UI_TIMEOUT });
    await expectNoAxeViolations(popup, 'page', 'the popup: pairing');
    await expectLegible(popup, 'page', 'the popup: pairing');
    await expectNoSidewaysScroll(popup, 'the popup: pairing');
    await popup.close();

    // The dead token is gone from the extension's storage.
    const { local, session } = await storageContents();
    const stored = JSON.stringify({ local, session });
    expect(stored).not.toMatch(/svl_[A-Za-z0-9_-]+/);
  });

  it('paired as a member: a live key gets "Only an admin can send live keys" and no Send; a test key still sends', async () => {
    // As an admin, through the API: Ana, a member, and a pairing code for her.
    const created = await api('POST', '/api/people', { name: 'Ana Lima', role: 'member' });
    expect(created.status, created.text).toBe(201);
    const issued = await api('POST', '/api/pairing-codes', { personId: created.body.person.id });
    expect(issued.status, issued.text).toBe(201);

    // The extension, back at pairing since its device was revoked, pairs with Ana's code.
    const options = await browser.openExtensionPage('options.html', OPTIONS_VIEWPORT);
    await options.getByLabel('Backend URL').fill(backend.url);
    await options.getByLabel('Pairing code').fill(issued.body.code);
    await options.getByRole('button', { name: 'Connect' }).click();
    await options.getByText('Paired as Ana Lima (Member)').waitFor({ timeout: UI_TIMEOUT });
    await expectNoAxeViolations(options, 'page', 'options: paired as a member');
    await options.close();
    const popup = await browser.openExtensionPage('popup.html', POPUP_VIEWPORT);
    await popup.getByText('Paired as Ana Lima (Member)').waitFor({ timeout: UI_TIMEOUT });
    await popup.close();
    // Kept for display: her name and role beside the pairing, never more than that.
    const { local } = await storageContents();
    expect((local.pairing as { person: unknown }).person).toEqual({ id: created.body.person.id, name: 'Ana Lima', role: 'member' });

    await backend.logWritten();
    const requestsBefore = backendRequests().length;

    // A live restricted key, created in the keys page's dialog (the fixture hands out whatever key
    // the test puts in the slot; the extension reads the mode from the key's prefix).
    const liveKey = newKey({ type: 'restricted', mode: 'live' });
    dashboard.keys.restricted = liveKey;
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.getByRole('button', { name: 'Create restricted key' }).click();
    await tab.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    const liveCard = await offerFor(tab, liveKey);
    // Said in the card where the form would be, at the same render: then there is no Send.
    await liveCard.getByText('Only an admin can send live keys.').waitFor({ timeout: UI_TIMEOUT });
    expect(await liveCard.innerText()).toContain('Live mode');
    expect(await liveCard.getByText('This browser is paired with Serval as a member.').count()).toBe(1);
    expect(await liveCard.innerText()).not.toContain('Ana Lima'); // the page can read the card: the role, not the name
    expect(await liveCard.getByRole('button', { name: /Send to Serval/ }).count()).toBe(0);
    expect(await liveCard.getByRole('combobox', { name: 'Application' }).count()).toBe(0);
    await screenshot(liveCard, 'offer-member-live-key.png');
    await expectNoAxeViolations(tab, 'card', 'the card: a member with a live key');
    await expectLegible(tab, 'card', 'the card: a member with a live key');
    await liveCard.getByRole('button', { name: 'Close', exact: true }).click();
    await offerGone(tab, liveKey);
    await tab.getByRole('dialog').getByRole('button', { name: 'Done' }).click();

    // A test key, revealed on the same page: Send, as for anyone who may.
    const testKey = newKey({ type: 'restricted', mode: 'test' });
    dashboard.keys.reveal = testKey;
    await tab.getByRole('button', { name: 'Reveal test key' }).click();
    const testCard = await offerFor(tab, testKey);
    const picker = testCard.getByLabel('Application', { exact: true });
    await picker.waitFor({ timeout: UI_TIMEOUT });
    await chooseApplication(picker, 'Ledger');
    await testCard.getByRole('button', { name: 'Send to Serval' }).click();
    await testCard.getByText('Connected to Ledger', { exact: false }).waitFor({ timeout: UI_TIMEOUT });
    const ledger = await api('GET', `/api/applications/${applications.Ledger}/integrations/stripe`);
    expect(ledger.body.integration).toMatchObject({ maskedKey: maskKey(testKey), mode: 'test', source: 'extension' });

    // The one change that reached the backend is the test key's PUT: the live key went nowhere.
    await expect
      .poll(
        () =>
          backendRequests()
            .slice(requestsBefore)
            .filter((r) => r.method === 'PUT').length,
        { timeout: UI_TIMEOUT },
      )
      .toBeGreaterThan(0);
    const changes = backendRequests()
      .slice(requestsBefore)
      .filter((r) => r.method !== 'GET');
    expect(changes).toEqual([{ method: 'PUT', path: `/api/applications/${applications.Ledger}/integrations/stripe` }]);
  });

  it('after everything, neither extension storage (local and session) nor the backend holds a key', async () => {
    await expectNoKeyAnywhere();
  });
});
