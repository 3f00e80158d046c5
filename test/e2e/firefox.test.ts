/**
 * The extension's flows in a real Firefox ESR, beside Chromium (send-to-serval.test.ts): pair in
 * the options page, reveal a key on the (fixture) Stripe Dashboard, Send to Serval, the verdict in
 * the card and in the popup, the extension's storage holding no key; then Stripe's rotate dialog,
 * Send for one application and Also update for the other.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskKey } from '../../shared/keys.js';
import type { StripeTestServer } from '../stripe-server/index.js';
import { createApplications, REPO_ROOT, startBackendWithStripe, type Backend, type BackendWithStripe } from './backend.js';
import { DASHBOARD } from './dashboard.js';
import { launchFirefoxWithExtension, type FirefoxWithExtension } from './firefox.js';

const FIREFOX_EXTENSION_DIR = path.join(REPO_ROOT, '.output', 'firefox-mv3');
const UI_TIMEOUT = 20_000;
const FIXTURES = path.join(REPO_ROOT, 'test', 'e2e', 'fixtures');

let services: BackendWithStripe;
let stripe: StripeTestServer;
let backend: Backend;
let firefox: FirefoxWithExtension;
let token: string;
let billingId: string;
let key: string;

/** The fixture dashboard at https://dashboard.stripe.com/…, answered by request interception. */
async function serveDashboard(page: Page, keys: { reveal?: string; rotate?: string }): Promise<void> {
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== DASHBOARD) return void request.continue();
    if (url.pathname === '/__fixture/key') {
      const key = keys[url.searchParams.get('slot') as keyof typeof keys];
      return void (key ? request.respond({ status: 200, contentType: 'text/plain', body: key }) : request.respond({ status: 404, body: '' }));
    }
    // resourceType() is not supported over BiDi: isNavigationRequest() is.
    if (!request.isNavigationRequest()) return void request.respond({ status: 404, body: '' });
    const file = url.pathname.replace(/\/$/, '') === '/apikeys' ? 'masked-keys.html' : 'app.html';
    void request.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: fs.readFileSync(path.join(FIXTURES, file), 'utf8') });
  });
}

const text = (page: Page | Frame) => page.evaluate(() => (globalThis as any).document.body?.innerText ?? '');

/**
 * The card's frame showing `key` (masked): card.html, an extension page in a frame inside the
 * card host's closed shadow root. The page's own scripts cannot reach it; the test driver can.
 */
async function cardFor(tab: Page, key: string): Promise<Frame> {
  const masked = maskKey(key);
  const deadline = Date.now() + UI_TIMEOUT;
  for (;;) {
    for (const frame of tab.frames()) {
      if (!frame.url().startsWith(`${firefox.extensionBase}card.html`)) continue;
      if ((await text(frame).catch(() => '')).includes(masked)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no card frame shows ${masked}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // polling the frames: puppeteer has no event for a frame's text
  }
}

/** Waits until the card's frame says `words`. */
async function cardSays(card: Frame, words: string): Promise<void> {
  await card.waitForFunction((w) => ((globalThis as any).document.body?.innerText ?? '').includes(w), { timeout: UI_TIMEOUT }, words);
}

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build:firefox'], { cwd: REPO_ROOT }); // about 2 s
  services = await startBackendWithStripe();
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
    // The page sees the host only: its shadow root is closed, and no key, masked or not, is in its DOM.
    expect(await tab.$eval('serval-key-offer', (host) => host.shadowRoot)).toBeNull();
    const shown = await text(card);
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

    const newKey = stripe.createKey({ type: 'secret', mode: 'test' });
    const tab = await firefox.browser.newPage();
    await serveDashboard(tab, { rotate: newKey });
    await tab.goto(`${DASHBOARD}/test/apikeys`);
    await tab.locator('::-p-aria([name="More options for Reporting"][role="button"])').click();
    await tab.locator('::-p-aria([name="Rotate key"][role="menuitem"])').click();
    await tab.select('#rotate-expiry', '24h');
    await tab.locator('::-p-aria([name="Rotate API key"][role="button"])').click();
    await tab.waitForFunction((k) => ((globalThis as any).document.querySelector('[role="dialog"]')?.textContent ?? '').includes(k), {}, newKey);

    // Billing, where the first key went, is the default application: Send.
    const card = await cardFor(tab, newKey);
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
});
