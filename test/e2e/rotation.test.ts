/**
 * Rotating a key the way the guide says, in a real Chromium with the built extension: on the
 * (fixture) Stripe Dashboard, ⋯ → Rotate key → choose when the old key expires → Rotate API key;
 * the new key appears as text in the same dialog. Two applications hold the old key: Send to
 * Serval gives the new one to the first, Also update to the other, and the backend's API shows
 * both holding it.
 */
import { describe, expect, it } from 'vitest';
import { maskKey } from '../../shared/keys.js';
import { createApplications } from './backend.js';
import { useCardWorld } from './card-world.js';
import { DASHBOARD } from './dashboard.js';
import { chooseApplication, clickInCard, offerFor } from './send-world.js';

const UI_TIMEOUT = 20_000;
const ACCOUNT = 'acct_1RotateFixture01';

// A key falls due for rotation a second after it is connected: the rotation starts from keys that are due.
const world = useCardWorld('e2e rotation runner', { SERVAL_KEY_MAX_AGE_DAYS: String(1 / 86_400) });
const { api } = world;

describe('rotating a key on the Stripe Dashboard', () => {
  it('Send for one application (with the Expiration chosen) and Also update for the other: both end up holding the new key', async () => {
    const { stripe, backend, token, dashboard, browser } = world;
    // Two applications share the account's old key.
    const oldKey = stripe.createKey({ type: 'restricted', mode: 'test', accountId: ACCOUNT, accountReadable: true });
    const ids = await createApplications(backend, token, ['Checkout', 'Reports'], { stripeKey: oldKey });
    await expect
      .poll(async () => (await api('GET', `/api/applications/${ids.Checkout}/integrations/stripe`)).body.integration.rotationDue, { timeout: UI_TIMEOUT })
      .toBe(true);

    await world.pairExtension();

    // ⋯ → Rotate key → when the old key expires → Rotate API key.
    const newKey = stripe.createKey({ type: 'restricted', mode: 'test', accountId: ACCOUNT, accountReadable: true });
    dashboard.keys.rotate = newKey;
    const tab = await browser.context.newPage();
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.getByRole('button', { name: 'More options for Reporting' }).click();
    await tab.getByRole('menuitem', { name: 'Rotate key' }).click();
    const dialog = tab.getByRole('dialog');
    await dialog.getByLabel('Expiration').selectOption({ label: '24 hours' });
    await dialog.getByRole('button', { name: 'Rotate API key' }).click();
    await dialog.getByText(newKey).waitFor(); // the new key, as text, in the same dialog

    const card = await offerFor(tab, newKey);
    const picker = card.getByRole('combobox', { name: 'Application' });
    await picker.waitFor({ timeout: UI_TIMEOUT });
    await chooseApplication(picker, 'Checkout'); // a person's type-to-select (a script's selectOption is ignored)
    // Checkout's key is due: the card says so beside the choice (in the card's own words).
    expect(await card.getByText(/Replaces its current key/).innerText()).toContain('Rotation due.');
    await clickInCard(card.getByRole('button', { name: 'Send to Serval' }));
    await card.getByText(/Connected to Checkout/).waitFor({ timeout: UI_TIMEOUT });

    // The Expiration chosen went with the Send: the card says when the old key stops working, and who holds it.
    await card.getByText(/The old key stops working in 23 h; 1 application \("Reports"\) still holds it/).waitFor({ timeout: UI_TIMEOUT });
    const held = await api('GET', `/api/applications/${ids.Reports}/integrations/stripe`);
    const left = Date.parse(held.body.integration.keyExpiresAt) - Date.now();
    expect(left).toBeGreaterThan(23 * 3600_000);
    expect(left).toBeLessThanOrEqual(24 * 3600_000);

    // The answer names the other application still on the old key: Also update.
    expect(await card.innerText()).toContain('Reports');
    expect(await card.innerText()).toContain(maskKey(oldKey));
    await clickInCard(card.getByRole('button', { name: 'Also update' }));
    await card.getByText(/Also updated Reports/).waitFor({ timeout: UI_TIMEOUT });

    // Both applications hold the new key, through the backend's API.
    for (const id of Object.values(ids)) {
      const integration = await api('GET', `/api/applications/${id}/integrations/stripe`);
      expect(integration.status, integration.text).toBe(200);
      expect(integration.body.integration.maskedKey).toBe(maskKey(newKey));
    }
    const reports = await api('GET', `/api/applications/${ids.Reports}/integrations/stripe`);
    expect(reports.body.integration.source).toBe('extension');

    // And the extension's storage holds neither key.
    const worker = await browser.serviceWorker();
    const stored = JSON.stringify(
      await worker.evaluate(async () => {
        const chrome = (globalThis as any).chrome;
        return [await chrome.storage.local.get(null), await chrome.storage.session.get(null)];
      }),
    );
    expect(stored).not.toContain(newKey);
    expect(stored).not.toContain(oldKey);
  }, 120_000);
});
