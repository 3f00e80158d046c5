/**
 * The console's Alerts page in a real Chromium against the real backend: an admin adds an
 * endpoint (a receiver on loopback), copies its signing secret (shown once), a browser is paired,
 * and the receiver gets the signed event while the page lists the delivery.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../server/alerts/signature.js';
import { startAlertReceiver } from '../server/alert-receiver.js';
import { expectNoAxeViolations } from './accessibility.js';
import { startBackendWithStripe, type BackendWithStripe } from './backend.js';
import { findChromium } from './chromium.js';
import { buildConsole } from './console.js';
import { screenshot, UI_TIMEOUT } from './console-page.js';

let services: BackendWithStripe;
let browser: Browser;
let page: Page;
let receiver: Awaited<ReturnType<typeof startAlertReceiver>>;

describe('the console’s Alerts page', () => {
  beforeAll(async () => {
    buildConsole();
    receiver = await startAlertReceiver();
    services = await startBackendWithStripe();
    browser = await chromium.launch({
      executablePath: findChromium(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(UI_TIMEOUT);
  });
  afterAll(async () => {
    await browser?.close();
    await services?.stop();
    await receiver?.close();
  });

  it('Add endpoint → the secret once → a paired browser is delivered, signed, and listed', async () => {
    const { backend } = services;
    await page.goto(backend.url);
    await page.getByLabel('Pairing code').fill(await backend.newPairingCode());
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).click();
    await page.getByText('No alert endpoints yet.').waitFor();

    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('URL').fill(receiver.url('/console'));
    await page.getByRole('checkbox', { name: /device\.paired/ }).check();
    await page.getByRole('form', { name: 'Add endpoint' }).getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    expect(secret).toMatch(/^svlsig_/);
    await expectNoAxeViolations(page, 'page', 'console alerts');

    expect((await backend.api('POST', '/api/pair', { body: { code: await backend.newPairingCode(), deviceName: 'e2e alerts' } })).status).toBe(201);
    const [arrived] = await receiver.waitFor('/console', 1, UI_TIMEOUT);
    expect(JSON.parse(arrived.body)).toMatchObject({ type: 'device.paired', person: { name: 'Owner' } });
    expect(verifySignature(secret, String(arrived.headers['serval-signature']), arrived.body, new Date())).toBe(true);

    await page.getByRole('button', { name: 'Done' }).click();
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: /deliveries$/i }).click();
          return page.getByRole('table').getByText('delivered').count();
        },
        { timeout: UI_TIMEOUT },
      )
      .toBe(1);
    await screenshot(page, 'console-alerts.png');
  });
});
