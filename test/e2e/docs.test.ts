/**
 * The API docs page (/docs) in a real Chromium against the real backend, under its own
 * Content-Security-Policy (server/routes/docs.ts): Swagger UI renders the API document, Try it out
 * runs a request, Authorize takes a token — with no violation of the policy and no page error —
 * and a page that frames /docs gets nothing.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackendWithStripe, type BackendWithStripe } from './backend.js';
import { findChromium } from './chromium.js';

const UI_TIMEOUT = 20_000;

let services: BackendWithStripe;
let browser: Browser;

/** A page that reports every CSP violation and page error into `problems`. */
async function watchedPage(problems: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(UI_TIMEOUT);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.exposeFunction('reportViolation', (text: string) => problems.push(`CSP violation: ${text}`));
  // Source text, run in the page (this file is type-checked without the DOM's types).
  await page.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(' ')));",
  });
  return page;
}

describe('the API docs page', () => {
  beforeAll(async () => {
    services = await startBackendWithStripe();
    browser = await chromium.launch({
      executablePath: findChromium(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await services?.stop();
  });

  it('works under its policy: the document, Try it out, Authorize — and nothing the policy refused', async () => {
    const problems: string[] = [];
    const page = await watchedPage(problems);
    const answer = await page.goto(`${services.backend.url}/docs`);
    expect(answer?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");

    await page.getByRole('heading', { name: /Serval for Stripe/ }).waitFor();
    await page.locator('.opblock-summary-path[data-path="/health"]').click();
    await page.getByRole('button', { name: 'Try it out' }).click();
    await page.getByRole('button', { name: 'Execute' }).click();
    await expect.poll(() => page.locator('.live-responses-table tr.response .response-col_status').first().textContent()).toBe('200');

    await page
      .getByRole('button', { name: /Authorize/ })
      .first()
      .click();
    await page.locator('.modal-ux input').first().fill('svl_not_a_real_token');
    await page.locator('.modal-ux button.authorize').first().click(); // a submit button: Swagger UI handles the form itself (form-action 'none')
    await page.locator('.modal-ux').getByRole('button', { name: 'Remove authorization' }).first().waitFor();

    // No inline <style> or <script> slipped in (the policy would have refused it, and said so above).
    expect(await page.evaluate("document.querySelectorAll('style, script:not([src])').length")).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a page that frames /docs gets nothing (frame-ancestors none)', async () => {
    const page = await browser.newPage();
    const refused = page.waitForEvent('console', {
      predicate: (m) => m.type() === 'error' && m.text().includes('frame-ancestors'),
      timeout: UI_TIMEOUT,
    });
    await page.setContent(`<iframe src="${services.backend.url}/docs" title="docs"></iframe>`);
    expect((await refused).text()).toContain("frame-ancestors 'none'");
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(await frame?.evaluate("document.querySelector('#swagger-ui') !== null").catch(() => false)).toBeFalsy();
    await page.close();
  });
});
