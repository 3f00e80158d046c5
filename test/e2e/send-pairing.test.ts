/**
 * Who the browser is paired as, in a real Chromium with the built extension (send-world.ts): a
 * device revoked on the backend returns the card, the options page and the popup to pairing; paired
 * again as a member, a live key gets "Only an admin can send live keys" and no Send, and a test key
 * still sends. The tests run in order from a browser paired through the options page.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { maskKey } from '../../shared/keys.js';
import { expectLegible, expectNoAxeViolations } from './accessibility.js';
import { DASHBOARD } from './dashboard.js';
import {
  UI_TIMEOUT,
  POPUP_VIEWPORT,
  OPTIONS_VIEWPORT,
  backend,
  browser,
  dashboard,
  tab,
  testDeviceId,
  applications,
  newKey,
  screenshot,
  offerFor,
  offerGone,
  chooseApplication,
  expectNoSidewaysScroll,
  backendRequests,
  api,
  storageContents,
  useSendWorld,
  expectNoKeyAnywhere,
  pairInOptions,
  closeOffer,
  clickInCard,
} from './send-world.js';

useSendWorld();

beforeAll(async () => {
  await pairInOptions();
}, 60_000);

describe('revoked, then paired as a member', () => {
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
    expect(await liveCard.innerText()).not.toContain('Ana Lima'); // the role is all the card needs to say, not the name
    expect(await liveCard.getByRole('button', { name: /Send to Serval/ }).count()).toBe(0);
    expect(await liveCard.getByRole('combobox', { name: 'Application' }).count()).toBe(0);
    await screenshot(liveCard, 'offer-member-live-key.png');
    await expectNoAxeViolations(tab, 'card', 'the card: a member with a live key');
    await expectLegible(tab, 'card', 'the card: a member with a live key');
    await closeOffer(liveCard);
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
    await clickInCard(testCard.getByRole('button', { name: 'Send to Serval' }));
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
