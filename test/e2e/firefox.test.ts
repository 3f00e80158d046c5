/**
 * The extension's flows in a real Firefox ESR, beside Chromium (send-to-serval.test.ts): pair in
 * the options page, reveal a key on the (fixture) Stripe Dashboard, Send to Serval, the verdict in
 * the card and in the popup, the extension's storage holding no key; then Stripe's rotate dialog,
 * Send for one application and Also update for the other. Before pairing, the card says so; by
 * keyboard alone, Tab goes from the key into the card, a new application is named and sent to,
 * focus lands on the verdict and Escape gives it back to the key. The card is an extension page in
 * a frame (firefox-card.ts finds it); axe checks it there.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskKey } from '../../shared/keys.js';
import type { StripeTestServer } from '../stripe-server/index.js';
import { createApplications, REPO_ROOT, startBackendWithStripe, type Backend, type BackendWithStripe } from './backend.js';
import { DASHBOARD } from './dashboard.js';
import { launchFirefoxWithExtension, type FirefoxWithExtension } from './firefox.js';
import { axeInCard, cardFor as findCard, cardGone, cardSays, focusReaches, innerText, serveDashboard } from './firefox-card.js';

const FIREFOX_EXTENSION_DIR = path.join(REPO_ROOT, '.output', 'firefox-mv3');
const UI_TIMEOUT = 20_000;

let services: BackendWithStripe;
let stripe: StripeTestServer;
let backend: Backend;
let firefox: FirefoxWithExtension;
let token: string;
let billingId: string;
let key: string;

const text = innerText;
const cardFor = (tab: Page, key: string) => findCard(tab, firefox.extensionBase, key);

/** The tab the extension opened since `before`, once it shows `file` (BiDi does not report that navigation as finished). */
async function openedPage(before: Set<Page>, file: string): Promise<Page> {
  const deadline = Date.now() + UI_TIMEOUT;
  for (;;) {
    for (const page of await firefox.browser.pages()) {
      if (before.has(page)) continue;
      const path = await page.evaluate(() => (globalThis as any).location.pathname).catch(() => '');
      if (path === `/${file}`) return page;
    }
    if (Date.now() > deadline) throw new Error(`no new tab shows ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build:firefox'], { cwd: REPO_ROOT }); // about 2 s
  // A key falls due for rotation two seconds after it is connected: the rotation test starts from one that is due.
  services = await startBackendWithStripe({ SERVAL_KEY_MAX_AGE_DAYS: String(2 / 86_400) });
  ({ stripe, backend } = services);
  ({ token } = await backend.pairDevice('e2e firefox runner'));
  ({ Billing: billingId } = await createApplications(backend, token, ['Billing']));
  firefox = await launchFirefoxWithExtension(FIREFOX_EXTENSION_DIR);
}, 180_000);

afterAll(async () => {
  await firefox?.close();
  await services?.stop();
}, 60_000);

describe('Send to Serval, in Firefox ESR', () => {
  it('before pairing, the card says so and leads to the options page', async () => {
    const early = stripe.createKey({ type: 'restricted', mode: 'test' });
    const tab = await firefox.browser.newPage();
    await serveDashboard(tab, { reveal: early });
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.locator('::-p-aria([name="Reveal test key"][role="button"])').click();
    const card = await cardFor(tab, early);
    await cardSays(card, 'Serval is not paired with this browser yet.');
    expect(await card.$$('::-p-aria([name="Send to Serval"][role="button"])')).toHaveLength(0);
    expect(await axeInCard(card)).toEqual([]);
    const before = new Set(await firefox.browser.pages());
    await card.locator('::-p-aria([name="Open Serval options"][role="button"])').click();
    const options = await openedPage(before, 'options.html');
    await options.close();
    await tab.close();
  });

  it('pairs through the options page', async () => {
    const options = await firefox.openExtensionPage('options.html');
    const url = await options.waitForSelector('::-p-aria([name="Backend URL"][role="textbox"])', { timeout: UI_TIMEOUT });
    await url!.click({ count: 3 });
    await url!.type(backend.url);
    await options.locator('::-p-aria([name="Pairing code"][role="textbox"])').fill(backend.printedPairingCode);
    await options.locator('::-p-aria([name="Connect"][role="button"])').click();
    // The status view: this device, then the applications once the backend answered.
    await options.waitForFunction(() => (globalThis as any).document.body.innerText.includes('Billing'), { timeout: UI_TIMEOUT });
    expect(await text(options)).toContain('This device: Firefox on Linux');
    // Who the browser is paired as: the first pairing on a backend without people is Owner's.
    await options.waitForFunction(() => (globalThis as any).document.body.innerText.includes('Paired as Owner (Admin)'), { timeout: UI_TIMEOUT });
    expect(await text(options)).toContain('Reachable');
    await options.close();
  });

  it('offers the revealed key, sends it, and shows the verdict in the card', async () => {
    key = stripe.createKey({ type: 'secret', mode: 'test' });
    const tab = await firefox.browser.newPage();
    await serveDashboard(tab, { reveal: key });
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.locator('::-p-aria([name="Reveal test key"][role="button"])').click();
    const card = await cardFor(tab, key);
    // The page sees the host only: its shadow root is closed, no frame of the card is within its
    // reach, no key, masked or not, is in its DOM, and its synthetic clicks at the card do nothing.
    const seen = await tab.evaluate((masked) => {
      const page = globalThis as any;
      const host = page.document.querySelector('serval-key-offer');
      const rect = host.getBoundingClientRect();
      for (const type of ['pointerdown', 'mousedown', 'mouseup', 'click']) {
        const init = { bubbles: true, composed: true, clientX: rect.left + rect.width / 2, clientY: rect.bottom - 30 };
        host.dispatchEvent(new page.MouseEvent(type, init));
        page.document.elementFromPoint(init.clientX, init.clientY)?.dispatchEvent(new page.MouseEvent(type, init));
      }
      return {
        shadowRoot: host.shadowRoot,
        hostHtml: host.innerHTML,
        pageHasMasked: page.document.documentElement.innerHTML.includes(masked),
        iframes: page.document.querySelectorAll('iframe').length,
        frames: page.frames.length,
      };
    }, maskKey(key));
    expect(seen).toEqual({ shadowRoot: null, hostHtml: '', pageHasMasked: false, iframes: 0, frames: 0 });
    const shown = await text(card);
    expect(shown).not.toContain('Connected'); // nothing was sent
    expect(shown).toContain(maskKey(key));
    expect(shown).not.toContain(key);
    await card.locator('::-p-aria([name="Send to Serval"][role="button"])').click();
    await cardSays(card, 'Connected to Billing');
    const stored = await backend.api('GET', `/api/applications/${billingId}/integrations/stripe`, { token });
    expect(stored.body.integration).toMatchObject({ maskedKey: maskKey(key), status: 'connected', source: 'extension' });
    await tab.close();
  });

  it('shows the verdict in the popup, and the extension’s storage holds no key', async () => {
    const popup = await firefox.openExtensionPage('popup.html');
    await popup.waitForFunction(() => (globalThis as any).document.body.innerText.includes('Connected'), { timeout: UI_TIMEOUT });
    const shown = await text(popup);
    expect(shown).toContain('Billing');
    expect(shown).toContain(maskKey(key));
    const stored = await popup.evaluate(async () => {
      const ext = (globalThis as any).browser;
      return JSON.stringify([await ext.storage.local.get(null), await ext.storage.session.get(null)]);
    });
    expect(stored).toContain('svl_'); // the device token is there…
    expect(stored).not.toContain(key); // …the key is not
    expect(stored).not.toContain(key.slice(8, 40));
    await popup.close();
  });

  it('on Stripe’s rotate dialog: Send for one application, Also update for the other, and both hold the new key', async () => {
    // Reports holds the same (soon old) key as Billing.
    const { Reports: reportsId } = await createApplications(backend, token, ['Reports'], { stripeKey: key });

    await expect
      .poll(async () => (await backend.api('GET', `/api/applications/${billingId}/integrations/stripe`, { token })).body.integration.rotationDue, {
        timeout: UI_TIMEOUT,
      })
      .toBe(true);

    const newKey = stripe.createKey({ type: 'secret', mode: 'test' });
    const tab = await firefox.browser.newPage();
    await serveDashboard(tab, { rotate: newKey });
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.locator('::-p-aria([name="More options for Reporting"][role="button"])').click();
    await tab.locator('::-p-aria([name="Rotate key"][role="menuitem"])').click();
    await tab.select('#rotate-expiry', '24h');
    await tab.locator('::-p-aria([name="Rotate API key"][role="button"])').click();
    await tab.waitForFunction((k) => ((globalThis as any).document.querySelector('[role="dialog"]')?.textContent ?? '').includes(k), {}, newKey);

    // Billing, where the first key went, is the default application, its key due: Send.
    const card = await cardFor(tab, newKey);
    await cardSays(card, 'Rotation due.');
    await card.locator('::-p-aria([name="Send to Serval"][role="button"])').click();
    const also = await card.waitForSelector('::-p-aria([name="Also update"][role="button"])', { timeout: UI_TIMEOUT });
    const shown = await text(card);
    expect(shown).toContain('Connected to Billing');
    expect(shown).toContain('Reports');
    await also!.click();
    await cardSays(card, 'Also updated Reports');
    for (const id of [billingId, reportsId]) {
      const stored = await backend.api('GET', `/api/applications/${id}/integrations/stripe`, { token });
      expect(stored.body.integration.maskedKey).toBe(maskKey(newKey));
    }
    await tab.close();
  });

  it("offers an sk_org_ key revealed on the organization's API keys page, and sends it to an application that names its account", async () => {
    const sandbox = stripe.createAccount({ name: 'Sandbox Firefox' });
    const orgKey = stripe.createKey({ type: 'organization', organization: stripe.createOrganization([sandbox]) });
    const created = await backend.api('POST', '/api/applications', { token, body: { name: 'Org payouts', stripeAccount: sandbox } });
    expect(created.status).toBe(201);
    const tab = await firefox.browser.newPage();
    await serveDashboard(tab, { org: orgKey });
    await tab.goto(`${DASHBOARD}/org/api-keys/secret`);
    await tab.locator('::-p-aria([name="Reveal key"][role="button"])').click();
    const card = await cardFor(tab, orgKey);
    await cardSays(card, 'Mode: decided by Stripe');
    expect(await text(card)).toContain('Organization key');
    // A person's choice: type-to-select on the focused picker.
    const picker = await card.waitForSelector('::-p-aria([name="Application"][role="combobox"])', { timeout: UI_TIMEOUT });
    await picker!.focus();
    await tab.keyboard.type('Org payouts');
    await cardSays(card, `Acts on Stripe account ${sandbox}.`);
    expect(await axeInCard(card)).toEqual([]);
    await card.locator('::-p-aria([name="Send to Serval"][role="button"])').click();
    await cardSays(card, 'Connected to Org payouts');
    expect(await text(card)).toContain('Test mode');
    const stored = await backend.api('GET', `/api/applications/${created.body.application.id}/integrations/stripe`, { token });
    expect(stored.body.integration).toMatchObject({ keyType: 'organization', mode: 'test', accountName: 'Sandbox Firefox', maskedKey: maskKey(orgKey) });
    await tab.close();
  });

  it('by keyboard alone: from the key into the card, a new application, Enter on Send to Serval, focus on the verdict (missing permissions, which and the fix); Escape gives focus back to the key; axe finds nothing', async () => {
    const created = stripe.createKey({ type: 'restricted', mode: 'test', permissions: ['charges_read', 'customers_read', 'balance_read'] });
    const tab = await firefox.browser.newPage();
    await serveDashboard(tab, { restricted: created });
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.locator('::-p-aria([name="Create restricted key"][role="button"])').click();
    await tab.locator('::-p-aria([name="Create"][role="button"])').click();
    await tab.waitForFunction((k) => (globalThis as any).document.querySelector('#new-key')?.value === k, { timeout: UI_TIMEOUT }, created);
    await tab.hover('[role="dialog"] footer button'); // Copy: the activity that reveals a value set silently
    const card = await cardFor(tab, created);
    await card.waitForSelector('::-p-aria([name="Send to Serval"][role="button"])', { timeout: UI_TIMEOUT });
    expect(await axeInCard(card)).toEqual([]);

    // From here on, only the keyboard: the card is the next stop after the key's field.
    await tab.focus('#new-key');
    const stops: string[] = [];
    const tabTo = async (expected: { tag: string; name?: string; text?: string }) => {
      await tab.keyboard.press('Tab');
      const now = await focusReaches(tab, card, (f) => f.inCard && f.tag === expected.tag);
      expect(now).toMatchObject({ inCard: true, focusVisible: true, ...expected });
      stops.push(now.name ?? now.text);
    };
    await tabTo({ tag: 'button', name: 'Close' });
    await tabTo({ tag: 'select', name: 'Application' });
    await tab.keyboard.type('New'); // the picker's type-to-select: New application…
    await card.waitForSelector('::-p-aria([name="Name of the new application"][role="textbox"])', { timeout: UI_TIMEOUT });
    await tabTo({ tag: 'input', name: 'Name of the new application' });
    await tab.keyboard.type('Ledger');
    await tabTo({ tag: 'button', text: 'Send to Serval' });
    expect(stops).toEqual(['Close', 'Application', 'Name of the new application', 'Send to Serval']);
    await tab.keyboard.press('Enter');

    // Focus moves to the verdict, which says which permissions are missing and links to the fix;
    // the new application holds the key.
    const verdict = await focusReaches(tab, card, (f) => f.role === 'status' && f.text.includes('missing permissions'));
    expect(verdict).toMatchObject({ inCard: true, role: 'status', text: expect.stringContaining('Ledger') });
    const shown = await text(card);
    expect(shown).toContain('Customers: Write');
    expect(shown).toContain('Balance Transactions: Read');
    const fix = await card.$$eval('a', (links) => links.map((a) => (a as unknown as { href: string }).href));
    expect(fix.some((href) => href.startsWith(`${DASHBOARD}/test/apikeys/create`))).toBe(true);
    expect(await axeInCard(card)).toEqual([]);
    const listed = await backend.api('GET', '/api/applications', { token });
    const ledger = listed.body.applications.find((a: { name: string }) => a.name === 'Ledger');
    expect(ledger?.stripe).toMatchObject({ maskedKey: maskKey(created), status: 'missing_permissions' });

    // Escape closes the card, not Stripe's dialog, and focus is back in the key's field.
    await tab.keyboard.press('Escape');
    await cardGone(tab, firefox.extensionBase, created);
    expect(await focusReaches(tab, card, (f) => f.tag === 'input')).toMatchObject({ inCard: false, tag: 'input', name: 'Serval' });
    expect(await tab.$('[role="dialog"]')).not.toBeNull();
    await tab.close();
  });
});

describe('the card in Firefox ESR, dark colour scheme', () => {
  it('axe finds nothing in the card, and its frame is as tall as the card', async () => {
    const dark = await launchFirefoxWithExtension(FIREFOX_EXTENSION_DIR, { 'layout.css.prefers-color-scheme.content-override': 0 });
    try {
      const live = stripe.createKey({ type: 'secret', mode: 'live' }); // the live badge and warning, the secret-key note
      const tab = await dark.browser.newPage();
      await serveDashboard(tab, { reveal: live });
      await tab.goto(`${DASHBOARD}/test/apikeys`);
      await tab.locator('::-p-aria([name="Reveal test key"][role="button"])').click();
      const card = await findCard(tab, dark.extensionBase, live);
      await cardSays(card, 'Serval is not paired with this browser yet.'); // a fresh profile
      expect(await card.evaluate(() => (globalThis as any).matchMedia('(prefers-color-scheme: dark)').matches)).toBe(true);
      expect(await axeInCard(card)).toEqual([]);
      // Nothing scrolls inside the frame: it follows the card's height.
      await card.waitForFunction(() => (globalThis as any).document.documentElement.scrollHeight <= (globalThis as any).innerHeight + 1, {
        timeout: UI_TIMEOUT,
      });
    } finally {
      await dark.close();
    }
  });
});
