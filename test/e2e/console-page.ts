/** What the console's Playwright tests in Chromium (passkeys, SSO) read and keep of a page the same way. */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO_ROOT } from './backend.js';

export const SCREENSHOTS = path.resolve(REPO_ROOT, process.env.SERVAL_SCREENSHOTS_DIR ?? path.join('test-results', 'screenshots'));
export const UI_TIMEOUT = 20_000;

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true, animations: 'disabled' });
}

/** The header names who is signed in: "Signed in as Ann Lee". */
export async function signedInAs(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await expect.poll(() => page.locator('header .who').textContent(), { timeout: UI_TIMEOUT }).toContain(`Signed in as ${name}`);
}
