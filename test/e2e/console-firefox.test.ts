/**
 * The web console in a real Firefox ESR (no extension), beside Chromium (console.test.ts), against
 * the real backend and the Stripe-compatible test server: sign in with a pairing code, create an
 * application, the manual flow (API Integration → search Stripe → Stripe API key → Save) with the
 * refused keys showing their hints and a good key to connected, sign out with the session's
 * cookie and secret refused afterwards, and no full key in the page's HTML, URL or web storage at
 * any point.
 * Puppeteer over WebDriver BiDi, one browser for the file (firefox.ts).
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeTestServer } from '../stripe-server/index.js';
import { startBackendWithStripe, type Backend, type BackendWithStripe } from './backend.js';
import { buildConsole, expectNoFullKey as expectNoKeyIn, REFUSED_KEYS, SECRET_STORAGE_EXPRESSION, SESSION_COOKIE, sessionStatus } from './console.js';
import { launchFirefox, type OfflineFirefox } from './firefox.js';

const UI_TIMEOUT = 20_000;

let services: BackendWithStripe;
let stripe: StripeTestServer;
let backend: Backend;
let firefox: OfflineFirefox;
let page: Page;
const keysShown: string[] = [];
const pageErrors: string[] = [];

const expectNoFullKey = () => expectNoKeyIn(page, keysShown);
const aria = (name: string, role?: string) => `::-p-aria([name="${name}"]${role ? `[role="${role}"]` : ''})`;
const bodyText = () => page.evaluate(() => (globalThis as any).document.body.innerText as string);
const alertText = () => page.evaluate(() => ((globalThis as any).document.querySelector('[role="alert"]')?.textContent ?? '') as string);

/** Fills the field with this accessible name. */
async function fill(name: string, value: string, role: 'textbox' | 'searchbox' = 'textbox'): Promise<void> {
  await page.locator(aria(name, role)).fill(value);
}

async function waitForText(text: string): Promise<void> {
  await page.waitForFunction((t) => (globalThis as any).document.body.innerText.includes(t), { timeout: UI_TIMEOUT }, text);
}

/** Types the key into the password field and saves; the console empties the field at once (or, once connected, hides it). */
async function saveKey(key: string): Promise<void> {
  keysShown.push(key);
  await page.locator('#stripe-api-key').fill(key); // a password field has no textbox role
  await page.locator(aria('Save', 'button')).click();
  await page.waitForFunction(() => ((globalThis as any).document.getElementById('stripe-api-key')?.value ?? '') === '', { timeout: UI_TIMEOUT });
}

async function signIn(): Promise<void> {
  await fill('Pairing code', await backend.newPairingCode());
  await page.locator(aria('Sign in', 'button')).click(); // the ARIA name matches whole: not "Sign in with a passkey"
  await page.waitForSelector(`nav ${aria('Applications', 'link')}`, { timeout: UI_TIMEOUT });
}

describe('the web console, in Firefox ESR', () => {
  beforeAll(async () => {
    buildConsole();
    services = await startBackendWithStripe();
    ({ stripe, backend } = services);
    firefox = await launchFirefox();
    page = await firefox.browser.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
  });

  afterAll(async () => {
    await firefox?.close();
    await services?.stop();
  });

  it('signs in with a pairing code', async () => {
    await page.goto(backend.url);
    await page.waitForSelector(aria('Pairing code', 'textbox'));
    await signIn();
    await page.waitForFunction(() => (globalThis as any).document.title === 'Applications · Serval', { timeout: UI_TIMEOUT });
  });

  it('creates an application; refuses keys with the guide’s hints; connects a key by hand', async () => {
    await page.locator(aria('New application', 'button')).click();
    await fill('Name', 'Checkout');
    await page.locator(aria('Create', 'button')).click();
    await page.locator(aria('API Integration', 'tab')).click();
    await fill('Search integrations', 'Stripe', 'searchbox');
    await page.locator(`ul[aria-label="Integrations"] ${aria('Stripe', 'button')}`).click();
    const field = await page.waitForSelector('#stripe-api-key');
    expect(await field!.evaluate((input) => (input as unknown as { type: string }).type)).toBe('password');

    for (const refused of REFUSED_KEYS) {
      const before = stripe.requests.length;
      await saveKey(refused.create(stripe));
      await page.waitForFunction(
        (m) => ((globalThis as any).document.querySelector('[role="alert"]')?.textContent ?? '').includes(m),
        { timeout: UI_TIMEOUT },
        refused.message,
      );
      expect(await alertText()).toContain(refused.hint);
      if (!refused.asksStripe) expect(stripe.requests.length).toBe(before);
      await expectNoFullKey();
    }

    await saveKey(stripe.createKey({ type: 'restricted', mode: 'test' }));
    await waitForText('Restricted key');
    expect(await bodyText()).toMatch(/^Connected$/m);
    const applications = await backend.api('GET', '/api/applications', { token: (await backend.pairDevice('e2e firefox checker')).token });
    expect(applications.body.applications.find((a: { name: string }) => a.name === 'Checkout').stripe).toMatchObject({
      status: 'connected',
      keyType: 'restricted',
    });
    await expectNoFullKey();
    expect(pageErrors).toEqual([]);
  });

  it('signs out, and the old cookie and secret are refused', async () => {
    const session = (await firefox.browser.cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(session?.httpOnly).toBe(true);
    const secret = (await page.evaluate(SECRET_STORAGE_EXPRESSION)) as string | null;
    expect(secret).toMatch(/^sss_/);
    const halves = { cookie: session!.value, secret };
    expect(await sessionStatus(backend, halves)).toBe(200);
    expect(await sessionStatus(backend, { cookie: session!.value, secret: null })).toBe(401);

    await page.locator(aria('Sign out', 'button')).click();
    await page.waitForSelector(aria('Pairing code', 'textbox'));
    expect(await sessionStatus(backend, halves)).toBe(401);
    expect(await page.evaluate(SECRET_STORAGE_EXPRESSION)).toBeNull();
    await expectNoFullKey();
  });
});
