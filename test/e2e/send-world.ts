/**
 * The world the "Send to Serval" end-to-end files share: one real Chromium with the built
 * extension, the real backend as a child process, the Stripe-compatible test server, the fixture
 * dashboard and its tab, and the helpers that look at them. A file calls `useSendWorld()` once;
 * its beforeAll sets the state below (ES modules' exported bindings are live).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Frame, Locator, Page, Worker } from 'playwright-core';
export { cardFrames };
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { maskKey } from '../../shared/keys.js';
import type { StripeTestServer } from '../stripe-server/index.js';
import { cardFrames, horizontalOverflow, inCardFrame } from './accessibility.js';
import { createApplications, REPO_ROOT, startBackendWithStripe, type Backend, type BackendWithStripe } from './backend.js';
import { launchWithExtension, type ExtensionBrowser } from './chromium.js';
import { serveDashboard, type Dashboard } from './dashboard.js';
import { EXTENSION_DIR } from './global-setup.js';

/**
 * Every run writes its screenshots to test-results/screenshots; `npm run screenshots` writes them
 * to docs/screenshots, the ones the README shows, so a plain `npm test` leaves the tree clean.
 */
const SCREENSHOTS = path.resolve(REPO_ROOT, process.env.SERVAL_SCREENSHOTS_DIR ?? path.join('test-results', 'screenshots'));
/** How long the UI may take to react on a loaded 2-core machine. Waits end as soon as the condition holds. */
export const UI_TIMEOUT = 20_000;
const OFFER_REGION = 'Serval: send this Stripe key';
export const POPUP_VIEWPORT = { width: 400, height: 640 };
/** A popup is as wide as its content, up to 800 px; at 320 px it is a narrow window. */
const POPUP_WIDTHS = [320, 400, 560, 800];
export const OPTIONS_VIEWPORT = { width: 960, height: 720 };

let services: BackendWithStripe;
export let stripe: StripeTestServer;
export let backend: Backend;
export let browser: ExtensionBrowser;
export let dashboard: Dashboard;
/** The dashboard tab, reused from flow to flow like a person would. */
export let tab: Page;
/** This test's own device on the backend, for checking through the REST API. */
export let token: string;
export let testDeviceId: string;
export let applications: Record<'Billing' | 'Payouts' | 'Ledger', string>;
/** Every real key the browser saw, for the final "stored nowhere" checks. */
export const keysShown: string[] = [];
export const pageErrors: string[] = [];

export function newKey(options: Parameters<StripeTestServer['createKey']>[0]): string {
  const key = stripe.createKey(options);
  keysShown.push(key);
  return key;
}

export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, name);
  if ('goto' in target) await target.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  else await target.screenshot({ path: file, animations: 'disabled' });
}

async function framesShowing(page: Page, masked: string): Promise<Frame[]> {
  const showing: Frame[] = [];
  for (const frame of cardFrames(page)) {
    const text = await inCardFrame(frame, (f) => f.evaluate(() => (globalThis as any).document.body?.innerText ?? ''), '');
    if (text.includes(masked)) showing.push(frame);
  }
  return showing;
}

/** The offer card for one key (found by its masked form), in its frame: waits for it to show. */
export async function offerFor(page: Page, key: string, timeout = UI_TIMEOUT): Promise<Locator> {
  const masked = maskKey(key);
  await expect.poll(async () => (await framesShowing(page, masked)).length, { timeout, message: `an offer for ${masked}` }).toBeGreaterThan(0);
  const [frame] = await framesShowing(page, masked);
  return frame.getByRole('region', { name: OFFER_REGION }).filter({ hasText: masked });
}

/** How many offers the page shows, in all the card's frames. */
export async function offerCount(page: Page): Promise<number> {
  let count = 0;
  for (const frame of cardFrames(page)) count += await inCardFrame(frame, (f) => f.getByRole('region', { name: OFFER_REGION }).count(), 0);
  return count;
}

/** Waits until no frame shows an offer for `key` (closed, its frame gone). */
export async function offerGone(page: Page, key: string): Promise<void> {
  await expect.poll(async () => (await framesShowing(page, maskKey(key))).length, { timeout: UI_TIMEOUT }).toBe(0);
}

/**
 * A person's click on something in the card, once its frame is as tall as the card: the card sits
 * at a bottom corner, so while its frame follows the card's new height (a verdict, a notice, a
 * field shown) everything in it moves, and a click aimed before that would land on the page.
 */
export async function clickInCard(target: Locator): Promise<void> {
  await frameFitsCard(target);
  await target.click();
}

/** Closes an offer with its × (named Close). */
export async function closeOffer(card: Locator): Promise<void> {
  await clickInCard(card.getByRole('button', { name: 'Close', exact: true }));
}

/**
 * Chooses an application the way a person does, by typing its name into the focused picker. Not
 * `selectOption()`: that sets the value by script, and the card ignores a script's choice.
 */
export async function chooseApplication(picker: Locator, name: string): Promise<void> {
  await picker.focus();
  await picker.pressSequentially(name); // the picker's type-to-select
  await expect.poll(() => chosenApplication(picker)).toBe(name);
  await frameFitsCard(picker);
}

/**
 * Waits until the card's frame is as tall as the card again (what the choice shows below the
 * picker makes the card taller; the frame follows a moment later), so that a click aims at where
 * the button stays.
 */
export async function frameFitsCard(inCard: Locator): Promise<void> {
  const fits = () =>
    inCard.evaluate(() => {
      const { document, innerHeight } = globalThis as any;
      // The frame's height is the card's, rounded up (card-frames.ts): not shorter, not taller.
      const card = document.querySelector('.frame')?.getBoundingClientRect().height;
      return card !== undefined && Math.ceil(card) === innerHeight;
    });
  await expect.poll(fits, { timeout: UI_TIMEOUT }).toBe(true);
}

export function chosenApplication(picker: Locator): Promise<string | undefined> {
  return picker.evaluate((select) => (select as unknown as { selectedOptions: { text: string }[] }).selectedOptions[0]?.text);
}

/** The popup scrolls sideways at none of the widths it can have. */
export async function expectNoSidewaysScroll(popup: Page, state: string): Promise<void> {
  const original = popup.viewportSize();
  for (const width of POPUP_WIDTHS) {
    await popup.setViewportSize({ width, height: POPUP_VIEWPORT.height });
    expect.soft(await horizontalOverflow(popup), `${state}: sideways scroll at ${width} px`).toBe(0);
  }
  if (original) await popup.setViewportSize(original);
}

/** An application's name is at least as prominent as the status pills beside it: as large, as bold. */
export async function expectNamesAsProminentAsPills(page: Page): Promise<void> {
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
export function backendRequests(): { method: string; path: string }[] {
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
export async function expectNoHorizontalOverflow(card: Locator): Promise<void> {
  const overflowing = await card.evaluate((section) => {
    const box = section.getBoundingClientRect();
    return [section, ...section.querySelectorAll('*')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > box.right + 1)
      .map((el) => `<${el.localName}> ${(el.textContent ?? '').trim().slice(0, 60)}`);
  });
  expect.soft(overflowing, 'content wider than the card').toEqual([]); // soft: the flow's other checks still run
}

export async function api<T = any>(method: string, apiPath: string, body?: unknown) {
  return backend.api<T>(method, apiPath, { token, body });
}

export async function storageContents(): Promise<{ local: Record<string, unknown>; session: Record<string, unknown> }> {
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

export function useSendWorld(): void {
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
}

/** Neither the extension's storage nor the backend's output, answers or data files hold any key the browser saw. */
export async function expectNoKeyAnywhere(): Promise<void> {
  expect(keysShown.length, 'the file showed the browser at least one key').toBeGreaterThan(0);
  const { local, session } = await storageContents();
  const stored = JSON.stringify({ local, session });
  for (const key of keysShown) {
    expect(stored.includes(key), `storage holds ${maskKey(key)}`).toBe(false);
    // Not even a fragment long enough to matter.
    expect(stored.includes(key.slice(8, 40)), `storage holds part of ${maskKey(key)}`).toBe(false);
  }
  expect(stored).not.toMatch(/(?:sk|rk)_(?:test|live)_[A-Za-z0-9]{24,}/);

  // Nor did a key leak on the backend side: its output, its API answers, its data files.
  await backend.logWritten();
  const backendSide = [
    backend.output(),
    ...backend.responses,
    ...fs.readdirSync(backend.dataDir).map((f) => fs.readFileSync(path.join(backend.dataDir, f)).toString('latin1')),
  ].join('\n');
  for (const key of keysShown) expect(backendSide.includes(key), `backend exposed ${maskKey(key)}`).toBe(false);
  expect(pageErrors, 'uncaught errors in the dashboard page').toEqual([]);
}

/** Pairs the browser's extension in its options page with the code the backend printed at start. */
export async function pairInOptions(): Promise<void> {
  const options = await browser.openExtensionPage('options.html', OPTIONS_VIEWPORT);
  await options.getByLabel('Backend URL').fill(backend.url);
  await options.getByLabel('Pairing code').fill(backend.printedPairingCode);
  await options.getByRole('button', { name: 'Connect' }).click();
  await options.getByText('This device:', { exact: false }).waitFor({ timeout: UI_TIMEOUT });
  await options.close();
}
