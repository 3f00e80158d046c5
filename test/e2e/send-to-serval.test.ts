/**
 * The product the way a person uses it, in a real Chromium with the built extension loaded:
 * pair in the options page, reveal or create a key on the (fixture) Stripe Dashboard, Send to
 * Serval, read the verdict in the page and in the popup. The backend is the real one, started as
 * a child process; Stripe is the Stripe-compatible test server.
 *
 * The tests share one browser, one backend and one dashboard tab, and run in order: each flow
 * starts where the previous one left the product (paired, then connected, …). Every state a person
 * sees — the options page before and after pairing, the popup, the card before and after each
 * verdict — is also checked with axe-core and for what axe cannot see (accessibility.ts), in the
 * light and the dark colour scheme.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page, Worker } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { maskKey } from '../../shared/keys.js';
import type { StripeTestServer } from '../stripe-server/index.js';
import { expectLegible, expectNoAxeViolations, focusedElement, horizontalOverflow, MIN_UI_CONTRAST } from './accessibility.js';
import { createApplications, REPO_ROOT, startBackendWithStripe, type Backend, type BackendWithStripe } from './backend.js';
import { launchWithExtension, type ExtensionBrowser } from './chromium.js';
import { DASHBOARD, serveDashboard, type Dashboard } from './dashboard.js';
import { EXTENSION_DIR } from './global-setup.js';

/**
 * Every run writes its screenshots to test-results/screenshots; `npm run screenshots` writes them
 * to docs/screenshots, the ones the README shows, so a plain `npm test` leaves the tree clean.
 */
const SCREENSHOTS = path.resolve(REPO_ROOT, process.env.SERVAL_SCREENSHOTS_DIR ?? path.join('test-results', 'screenshots'));
/** How long the UI may take to react on a loaded 2-core machine. Waits end as soon as the condition holds. */
const UI_TIMEOUT = 20_000;
const OFFER_REGION = 'Serval: send this Stripe key';
const POPUP_VIEWPORT = { width: 400, height: 640 };
/** A popup is as wide as its content, up to 800 px; at 320 px it is a narrow window. */
const POPUP_WIDTHS = [320, 400, 560, 800];
const OPTIONS_VIEWPORT = { width: 960, height: 720 };

let services: BackendWithStripe;
let stripe: StripeTestServer;
let backend: Backend;
let browser: ExtensionBrowser;
let dashboard: Dashboard;
/** The dashboard tab, reused from flow to flow like a person would. */
let tab: Page;
/** This test's own device on the backend, for checking through the REST API. */
let token: string;
let testDeviceId: string;
let applications: Record<'Billing' | 'Payouts' | 'Ledger', string>;
/** Every real key the browser saw, for the final "stored nowhere" checks. */
const keysShown: string[] = [];
const pageErrors: string[] = [];

function newKey(options: Parameters<StripeTestServer['createKey']>[0]): string {
  const key = stripe.createKey(options);
  keysShown.push(key);
  return key;
}

async function screenshot(target: Page | Locator, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, name);
  if ('goto' in target) await target.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  else await target.screenshot({ path: file, animations: 'disabled' });
}

/** The offer card for one key (found by its masked form), inside `<serval-key-offer>`'s shadow root. */
function offerFor(page: Page, key: string): Locator {
  return page.locator('serval-key-offer').getByRole('region', { name: OFFER_REGION }).filter({ hasText: maskKey(key) });
}

function allOffers(page: Page): Locator {
  return page.locator('serval-key-offer').getByRole('region', { name: OFFER_REGION });
}

/**
 * Chooses an application the way a person does, by typing its name into the focused picker. Not
 * `selectOption()`: that sets the value by script, and the card ignores a script's choice.
 */
async function chooseApplication(picker: Locator, name: string): Promise<void> {
  await picker.focus();
  await picker.pressSequentially(name); // the picker's type-to-select
  await expect.poll(() => chosenApplication(picker)).toBe(name);
}

function chosenApplication(picker: Locator): Promise<string | undefined> {
  return picker.evaluate((select) => (select as unknown as { selectedOptions: { text: string }[] }).selectedOptions[0]?.text);
}

/** The popup scrolls sideways at none of the widths it can have. */
async function expectNoSidewaysScroll(popup: Page, state: string): Promise<void> {
  const original = popup.viewportSize();
  for (const width of POPUP_WIDTHS) {
    await popup.setViewportSize({ width, height: POPUP_VIEWPORT.height });
    expect.soft(await horizontalOverflow(popup), `${state}: sideways scroll at ${width} px`).toBe(0);
  }
  if (original) await popup.setViewportSize(original);
}

/** An application's name is at least as prominent as the status pills beside it: as large, as bold. */
async function expectNamesAsProminentAsPills(page: Page): Promise<void> {
  const sizes = await page.locator('.application-head').evaluateAll((heads) =>
    heads.map((head: any) => {
      const { getComputedStyle } = globalThis as any;
      const style = (el: any) => ({ size: parseFloat(getComputedStyle(el).fontSize), weight: Number(getComputedStyle(el).fontWeight) });
      return { name: style(head.querySelector('.application-name')), pills: [...head.querySelectorAll('.pill')].map(style) };
    }),
  );
  expect(sizes.length).toBeGreaterThan(0);
  for (const { name, pills } of sizes) {
    for (const pill of pills) {
      expect.soft(name.size, 'font size: an application name and its status').toBeGreaterThanOrEqual(pill.size);
      expect.soft(name.weight, 'font weight: an application name and its status').toBeGreaterThanOrEqual(pill.weight);
    }
  }
}

/** What reached the backend, from its request log (one JSON line per request). */
function backendRequests(): { method: string; path: string }[] {
  return backend
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; method: string; path: string };
        return entry.msg === 'request' ? [{ method: entry.method, path: entry.path }] : [];
      } catch {
        return [];
      }
    });
}

/** Everything in the card fits its width: nothing is cut off at its edge (a long URL, say). */
async function expectNoHorizontalOverflow(card: Locator): Promise<void> {
  const overflowing = await card.evaluate((section) => {
    const box = section.getBoundingClientRect();
    return [section, ...section.querySelectorAll('*')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > box.right + 1)
      .map((el) => `<${el.localName}> ${(el.textContent ?? '').trim().slice(0, 60)}`);
  });
  expect.soft(overflowing, 'content wider than the card').toEqual([]); // soft: the flow's other checks still run
}

async function api<T = any>(method: string, apiPath: string, body?: unknown) {
  return backend.api<T>(method, apiPath, { token, body });
}

async function storageContents(): Promise<{ local: Record<string, unknown>; session: Record<string, unknown> }> {
  const read = (worker: Worker) =>
    worker.evaluate(async () => {
      const chrome = (globalThis as any).chrome;
      return { local: await chrome.storage.local.get(null), session: await chrome.storage.session.get(null) };
    });
  try {
    return await read(await browser.serviceWorker());
  } catch {
    // The worker stopped between finding it and evaluating in it: wake it and try once more.
    return read(await browser.serviceWorker());
  }
}

beforeAll(async () => {
  services = await startBackendWithStripe();
  ({ stripe, backend } = services);
  ({ token, deviceId: testDeviceId } = await backend.pairDevice('e2e test runner'));
  applications = await createApplications(backend, token, ['Billing', 'Payouts', 'Ledger']);
  browser = await launchWithExtension(EXTENSION_DIR);
  dashboard = await serveDashboard(browser.context);
  tab = await browser.context.newPage();
  tab.on('pageerror', (error) => pageErrors.push(`${tab.url()}: ${error.message}`));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await services?.stop();
}, 60_000);

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  // What the backend, the page and the screen said, to tell a product failure from a harness one.
  console.error(`--- backend output (last 4000 chars) ---\n${backend?.output().slice(-4000)}`);
  if (pageErrors.length > 0) console.error(`--- page errors ---\n${pageErrors.join('\n')}`);
  const dir = path.join(REPO_ROOT, 'test-results', 'e2e');
  fs.mkdirSync(dir, { recursive: true });
  const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  for (const [i, page] of (browser?.context.pages() ?? []).entries()) {
    await page.screenshot({ path: path.join(dir, `${name}-${i}.png`), timeout: 5_000 }).catch(() => undefined);
  }
  console.error(`--- screenshots of the open tabs: ${path.relative(REPO_ROOT, dir)}/${name}-*.png`);
});

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

    const card = offerFor(tab, secretKey);
    await card.waitFor({ timeout: UI_TIMEOUT });
    await card.getByRole('button', { name: 'Send to Serval' }).waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => card.innerText(), { timeout: UI_TIMEOUT }).toContain('Secret key');
    expect(await card.innerText()).toContain('Test mode');
    // The full key is never rendered in the card, only its masked form.
    expect(await card.innerText()).not.toContain(secretKey);
    // Only the revealed key: the publishable key and the masked tokens on the page got no offer.
    expect(await allOffers(tab).count()).toBe(1);
    await screenshot(card, 'offer.png');
    await expectNoAxeViolations(tab, 'card', 'the offer, before sending');
    await expectLegible(tab, 'card', 'the offer, before sending');
  });

  it('picks the application, sends the key, and shows the verdict in the page', async () => {
    const secretKey = dashboard.keys.reveal!;
    const card = offerFor(tab, secretKey);
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
    await card.waitFor({ state: 'detached' });
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

  it("a script on the Stripe page cannot drive the card; a person's click sends, and focus stays in the card", async () => {
    // Payouts holds the key sent above and is now the default application: what a page script would go for.
    const key = newKey({ type: 'restricted', mode: 'test' });
    dashboard.keys.reveal = key;
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.getByRole('button', { name: 'Reveal test key' }).click();
    const card = offerFor(tab, key);
    const send = card.getByRole('button', { name: 'Send to Serval' });
    await send.waitFor({ timeout: UI_TIMEOUT });
    const picker = card.getByLabel('Application', { exact: true });
    await expect.poll(() => chosenApplication(picker)).toBe('Payouts');
    await backend.logWritten();
    const requestsBefore = backendRequests().length;

    // The page's own script reaches into the open shadow root: picks Billing, clicks Send, submits the form.
    const afterScript = await tab.evaluate(async () => {
      const page = globalThis as any; // runs in the page (this project has no DOM types)
      const root = page.document.querySelector('serval-key-offer').shadowRoot;
      const form = root.querySelector('form');
      const picker = form.querySelector('select');
      const sendButton = form.querySelector('button[type="submit"]');
      picker.value = [...picker.options].find((option: { text: string }) => option.text === 'Billing').value;
      picker.dispatchEvent(new page.Event('change', { bubbles: true }));
      sendButton.click();
      sendButton.dispatchEvent(new page.MouseEvent('click', { bubbles: true, composed: true }));
      form.requestSubmit();
      form.requestSubmit(sendButton);
      // A send would have disabled or replaced the button by the time the card has re-rendered.
      await new Promise((resolve) => page.setTimeout(resolve, 50));
      return { picked: picker.selectedOptions[0].text, sendStarted: !sendButton.isConnected || sendButton.disabled };
    });
    expect(afterScript).toEqual({ picked: 'Payouts', sendStarted: false });
    await backend.logWritten();
    expect(backendRequests().slice(requestsBefore).filter((r) => r.method !== 'GET')).toEqual([]);

    // A person's click sends, to the application the person left chosen.
    await send.click();
    await card.getByText('Connected to Payouts', { exact: false }).waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => backendRequests().slice(requestsBefore).filter((r) => r.method === 'PUT').length, { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    const sent = backendRequests().slice(requestsBefore).filter((r) => r.method !== 'GET');
    expect(sent).toEqual([{ method: 'PUT', path: `/api/applications/${applications.Payouts}/integrations/stripe` }]);
    expect((await api('GET', `/api/applications/${applications.Billing}/integrations/stripe`)).status).toBe(404);

    // The Send button is gone; keyboard focus moved to the verdict, inside the card, not to <body>.
    const focused = () =>
      tab.evaluate(() => {
        const active = (globalThis as any).document.activeElement;
        const inner = active?.shadowRoot?.activeElement;
        return { host: active?.localName, role: inner?.getAttribute('role'), verdict: inner?.textContent?.includes('Connected to Payouts') };
      });
    await expect.poll(focused).toEqual({ host: 'serval-key-offer', role: 'status', verdict: true });
  });

  it('content scripts cannot read the device token from extension storage', async () => {
    const { local } = await storageContents();
    expect(JSON.stringify(local)).toMatch(/svl_/); // the worker holds it…
    const worker = await browser.serviceWorker();
    const seen = await worker.evaluate(async () => {
      const chrome = (globalThis as any).chrome;
      const [dashboardTab] = await chrome.tabs.query({ url: 'https://dashboard.stripe.com/*' });
      // Runs in the content scripts' world of the dashboard tab.
      const [{ result }] = await chrome.scripting.executeScript({
        target: { tabId: dashboardTab.id },
        func: async () => {
          try {
            return JSON.stringify(await (globalThis as any).chrome.storage.local.get(null));
          } catch (error) {
            return `refused: ${(error as Error).message}`;
          }
        },
      });
      return result as string;
    });
    expect(seen).not.toMatch(/svl_/); // …a content script cannot read it: Chrome refuses the call
    expect(seen).toMatch(/^refused: /);
  });

  it('the popup shows the application connected', async () => {
    const popup = await browser.openExtensionPage('popup.html', POPUP_VIEWPORT);
    const payouts = popup.getByRole('listitem').filter({ hasText: 'Payouts' });
    await payouts.getByText('Connected', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    const text = await payouts.innerText();
    expect(text).toContain(maskKey(dashboard.keys.reveal!));
    expect(text).toContain('Test mode');
    await popup.getByRole('listitem').filter({ hasText: 'Billing' }).getByText('Stripe not connected').waitFor();
    await screenshot(popup, 'popup.png');
    await expectNoAxeViolations(popup, 'page', 'the popup');
    await expectLegible(popup, 'page', 'the popup');
    await expectNamesAsProminentAsPills(popup);
    await expectNoSidewaysScroll(popup, 'the popup');
    await popup.close();
  });

  it('a restricted key missing permissions shows which, and the fix', async () => {
    const restrictedKey = newKey({ type: 'restricted', mode: 'test', permissions: ['charges_read', 'customers_read', 'balance_read'] });
    dashboard.keys.restricted = restrictedKey;

    await tab.bringToFront();
    await tab.getByRole('button', { name: 'Create restricted key' }).click();
    const modal = tab.getByRole('dialog', { name: 'Create restricted key' });
    await modal.getByRole('button', { name: 'Create' }).click();
    // The dashboard assigns the key to the readonly field's `value` a moment later, firing no event.
    const field = modal.getByLabel('Serval', { exact: true });
    await expect.poll(() => field.inputValue(), { timeout: UI_TIMEOUT }).toBe(restrictedKey);
    // The person then reaches for "Copy". Detecting a silently assigned value needs some page
    // activity (the extension does not poll), and this is the activity every real user produces.
    await modal.locator('footer').getByRole('button', { name: 'Copy' }).hover();

    const card = offerFor(tab, restrictedKey);
    await card.waitFor({ timeout: UI_TIMEOUT });
    expect(await card.innerText()).toContain('Restricted key');
    // The card sits beside Stripe's dialog, not over it.
    const [cardBox, modalBox] = [await card.boundingBox(), await modal.boundingBox()];
    expect(cardBox && modalBox).toBeTruthy();
    const overlaps =
      cardBox!.x < modalBox!.x + modalBox!.width &&
      modalBox!.x < cardBox!.x + cardBox!.width &&
      cardBox!.y < modalBox!.y + modalBox!.height &&
      modalBox!.y < cardBox!.y + cardBox!.height;
    expect(overlaps, 'the offer covers the dashboard dialog').toBe(false);

    const picker = card.getByLabel('Application', { exact: true });
    await picker.waitFor({ timeout: UI_TIMEOUT });
    await chooseApplication(picker, 'Billing');
    await card.getByRole('button', { name: 'Send to Serval' }).click();

    await card.getByText('missing permissions', { exact: false }).first().waitFor({ timeout: UI_TIMEOUT });
    const missing = await card.getByRole('listitem').allInnerTexts();
    expect(missing).toEqual(expect.arrayContaining(['Customers: Write', 'Balance Transactions: Read']));
    expect(missing).not.toContain('Charges: Read');
    // The fix: a link that opens Stripe's create-key page pre-filled with Serval's permissions.
    const hrefs = await card.getByRole('link').evaluateAll((links) => links.map((a) => (a as unknown as { href: string }).href));
    const createLink = hrefs.find((href) => href.startsWith(`${DASHBOARD}/test/apikeys/create`));
    expect(createLink, `links: ${hrefs.join(', ')}`).toBeDefined();
    for (const scope of ['rak_charge_read', 'rak_customer_read', 'rak_customer_write', 'rak_balance_read', 'rak_balance_transaction_source_read']) {
      expect(decodeURIComponent(createLink!)).toContain(`permissions[]=${scope}`);
    }
    await screenshot(card, 'offer-missing-permissions.png');
    await screenshot(tab, 'offer-in-dashboard.png');
    await expectNoHorizontalOverflow(card);
    await expectNoAxeViolations(tab, 'card', 'the verdict: missing permissions');
    await expectLegible(tab, 'card', 'the verdict: missing permissions');

    const res = await api('GET', `/api/applications/${applications.Billing}/integrations/stripe`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.integration).toMatchObject({
      keyType: 'restricted',
      maskedKey: maskKey(restrictedKey),
      status: 'missing_permissions',
      source: 'extension',
    });
    expect([...res.body.integration.missingPermissions].sort()).toEqual(['balance_transactions_read', 'customers_write']);

    await modal.locator('footer').getByRole('button', { name: 'Done' }).click(); // Stripe's, not the card's
    await modal.waitFor({ state: 'detached' });
    // The verdict outlives Stripe's dialog: the card moves to the page instead of vanishing.
    await card.waitFor({ timeout: UI_TIMEOUT });

    // The options page's status view tells the same story, per application.
    const options = await browser.openExtensionPage('options.html', OPTIONS_VIEWPORT);
    const billing = options.getByRole('listitem').filter({ hasText: 'Billing' });
    await billing.getByText('Missing permissions', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    expect(await billing.innerText()).toContain('Customers: Write');
    await options.getByRole('listitem').filter({ hasText: 'Payouts' }).getByText('Connected', { exact: true }).waitFor();
    await screenshot(options, 'options.png');
    await expectNoAxeViolations(options, 'page', 'options with applications needing attention');
    await expectNamesAsProminentAsPills(options);
    await options.close();

    // And the toolbar badge warns: one integration needs attention.
    await expect
      .poll(async () => (await browser.serviceWorker()).evaluate(() => (globalThis as any).chrome.action.getBadgeText({})), { timeout: UI_TIMEOUT })
      .toBe('1');
  });

  it("an invalid key shows the integration guide's hint, and nothing is stored", async () => {
    const deletedKey = newKey({ type: 'secret', mode: 'test' });
    stripe.deleteKey(deletedKey); // Stripe will answer 401, as for a deleted or rolled key
    dashboard.keys.reveal = deletedKey;

    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.getByRole('button', { name: 'Reveal test key' }).click();
    const card = offerFor(tab, deletedKey);
    const picker = card.getByLabel('Application', { exact: true });
    await picker.waitFor({ timeout: UI_TIMEOUT });
    await chooseApplication(picker, 'Ledger');
    await card.getByRole('button', { name: 'Send to Serval' }).click();

    await card.getByText('Stripe does not recognise this key', { exact: false }).waitFor({ timeout: UI_TIMEOUT });
    // The guide's troubleshooting: deleted or rotated, test vs live.
    const text = await card.innerText();
    expect(text).toMatch(/deleted or rotated/i);
    expect(text).toMatch(/test vs live/i);
    await screenshot(card, 'offer-error.png');
    await expectNoHorizontalOverflow(card);
    await expectNoAxeViolations(tab, 'card', 'the verdict: an error with its hint');
    await expectLegible(tab, 'card', 'the verdict: an error with its hint');

    const ledger = await api('GET', `/api/applications/${applications.Ledger}/integrations/stripe`);
    expect(ledger.status).toBe(404);
    // Nothing else changed either.
    const payouts = await api('GET', `/api/applications/${applications.Payouts}/integrations/stripe`);
    expect(payouts.body.integration.status).toBe('connected');
    expect(payouts.body.integration.maskedKey).not.toBe(maskKey(deletedKey));
  });

  it('by keyboard alone: Tab from the key into the card, choose an application, Enter on Send to Serval, read the verdict; Escape gives focus back to the key', async () => {
    const key = newKey({ type: 'restricted', mode: 'test' });
    dashboard.keys.restricted = key;
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.getByRole('button', { name: 'Create restricted key' }).click();
    const modal = tab.getByRole('dialog', { name: 'Create restricted key' });
    await modal.getByRole('button', { name: 'Create' }).click();
    const field = modal.getByLabel('Serval', { exact: true });
    await expect.poll(() => field.inputValue(), { timeout: UI_TIMEOUT }).toBe(key);
    await modal.locator('footer').getByRole('button', { name: 'Copy' }).hover(); // the activity that reveals a silent value
    const card = offerFor(tab, key);
    await card.getByRole('button', { name: 'Send to Serval' }).waitFor({ timeout: UI_TIMEOUT });

    // From here on, only the keyboard. The person is in the key's field; the card is the next stop.
    await field.focus();
    const stops: string[] = [];
    const tabTo = async (expected: Record<string, unknown>) => {
      await tab.keyboard.press('Tab');
      const focused = await focusedElement(tab);
      expect(focused).toMatchObject({ host: 'serval-key-offer', focusVisible: true, ...expected });
      expect(focused.ringContrast, `focus ring of ${focused.tag} ${focused.name ?? focused.text}`).toBeGreaterThanOrEqual(MIN_UI_CONTRAST);
      stops.push(focused.name ?? focused.text);
    };
    await tabTo({ tag: 'button', name: 'Close' });
    await tabTo({ tag: 'select', name: 'Application' });
    await tab.keyboard.type('Ledger'); // the picker's type-to-select
    await expect.poll(() => chosenApplication(card.getByLabel('Application', { exact: true }))).toBe('Ledger');
    await tabTo({ tag: 'button', text: 'Send to Serval' });
    expect(stops).toEqual(['Close', 'Application', 'Send to Serval']);
    await tab.keyboard.press('Enter');

    // Focus moves to the verdict, which a screen reader reads from there.
    await expect
      .poll(() => focusedElement(tab), { timeout: UI_TIMEOUT })
      .toMatchObject({ host: 'serval-key-offer', role: 'status', text: expect.stringContaining('Connected to Ledger') });
    expect((await focusedElement(tab)).ringContrast).toBeGreaterThanOrEqual(MIN_UI_CONTRAST);
    expect((await api('GET', `/api/applications/${applications.Ledger}/integrations/stripe`)).body.integration).toMatchObject({
      maskedKey: maskKey(key),
      status: 'connected',
    });

    // Escape closes the card, not Stripe's dialog, and focus is back in the key's field.
    await tab.keyboard.press('Escape');
    await card.waitFor({ state: 'detached' });
    expect(await focusedElement(tab)).toMatchObject({ host: null, tag: 'input', name: 'Serval' });
    expect(await modal.isVisible()).toBe(true);
  });

  it('masked and publishable keys get no offer', async () => {
    // The live-mode API keys page: masked secret and restricted keys, full publishable keys, a
    // webhook secret — at load and rendered later by script.
    await tab.goto(`${DASHBOARD}/apikeys`);
    await tab.locator('body[data-fixture-ready="true"]').waitFor({ timeout: UI_TIMEOUT });
    // Touch the script-assigned publishable field the way a person would, so it is read too.
    await tab.getByLabel('Live publishable key').hover();
    await tab.getByLabel('Publishable key (copy)').click();

    // A real key added last is the proof that the extension has read everything before it: when
    // its offer shows, any offer for what came earlier would have shown too.
    const sentinel = newKey({ type: 'restricted', mode: 'live' });
    await tab.evaluate((key) => {
      const document = (globalThis as any).document; // runs in the page (this project has no DOM types)
      const code = document.createElement('code');
      code.textContent = key;
      document.querySelector('main').append(code);
    }, sentinel);
    await offerFor(tab, sentinel).waitFor({ timeout: UI_TIMEOUT });
    expect(await allOffers(tab).count()).toBe(1);
    // A live key is marked as such.
    expect(await offerFor(tab, sentinel).innerText()).toMatch(/processes real payments/i);
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
    const card = offerFor(tab, key);
    await card.getByText(/revoked|not paired/i).first().waitFor({ timeout: UI_TIMEOUT });
    await card.getByRole('button', { name: /options/i }).waitFor();
    expect(await card.getByRole('button', { name: 'Send to Serval' }).count()).toBe(0);
    await screenshot(card, 'offer-not-paired.png');
    await expectNoAxeViolations(tab, 'card', 'the card: pairing revoked');
    await expectLegible(tab, 'card', 'the card: pairing revoked');

    // The options page is back to pairing, and says why.
    const options = await browser.openExtensionPage('options.html');
    await options.getByLabel('Pairing code').waitFor({ timeout: UI_TIMEOUT });
    await options.getByRole('button', { name: 'Connect' }).waitFor();
    await options.getByText(/revoked/i).first().waitFor();
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

  it('after everything, extension storage (local and session) holds no key', async () => {
    expect(keysShown.length).toBeGreaterThanOrEqual(5);
    const { local, session } = await storageContents();
    const stored = JSON.stringify({ local, session });
    for (const key of keysShown) {
      expect(stored.includes(key), `storage holds ${maskKey(key)}`).toBe(false);
      // Not even a fragment long enough to matter.
      expect(stored.includes(key.slice(8, 40)), `storage holds part of ${maskKey(key)}`).toBe(false);
    }
    expect(stored).not.toMatch(/(?:sk|rk)_(?:test|live)_[A-Za-z0-9]{24,}/);

    // Nor did the key leak on the backend side: its output, its API answers, its data files.
    await backend.logWritten();
    const backendSide = [
      backend.output(),
      ...backend.responses,
      ...fs.readdirSync(backend.dataDir).map((f) => fs.readFileSync(path.join(backend.dataDir, f)).toString('latin1')),
    ].join('\n');
    for (const key of keysShown) expect(backendSide.includes(key), `backend exposed ${maskKey(key)}`).toBe(false);
    expect(pageErrors, 'uncaught errors in the dashboard page').toEqual([]);
  });
});
