/**
 * The web console the way a person uses it, in a real Chromium (no extension) against the real
 * backend and the Stripe-compatible test server: sign in with a pairing code, create an
 * application, the manual flow to connected, a publishable key refused; the session's two halves
 * (the cookie alone is refused, a cross-origin POST carrying both is refused, both are refused
 * after sign-out); Devices with Pair a browser and the sessions; People (invite a person, the
 * link, a role change, the last admin kept, Disable); and no full key in the page's HTML, URL or
 * web storage at any point. Screenshots at 1280 px and 400 px.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeTestServer } from '../stripe-server/index.js';
import { expectNoAxeViolations } from './accessibility.js';
import { REPO_ROOT, startBackendWithStripe, type Backend, type BackendWithStripe } from './backend.js';
import { findChromium } from './chromium.js';
import { buildConsole, expectNoFullKey as expectNoKeyIn, REFUSED_KEYS, SECRET_STORAGE_EXPRESSION, SESSION_COOKIE, sessionStatus } from './console.js';

const SCREENSHOTS = path.resolve(REPO_ROOT, process.env.SERVAL_SCREENSHOTS_DIR ?? path.join('test-results', 'screenshots'));
const UI_TIMEOUT = 20_000;

let services: BackendWithStripe;
let stripe: StripeTestServer;
let backend: Backend;
let browser: Browser;
let page: Page;
const keysShown: string[] = [];

async function screenshot(name: string, width = 1280): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.setViewportSize({ width, height: 800 });
  await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true, animations: 'disabled' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** The page's HTML, URL and web storage hold no key the test has typed. */
const expectNoFullKey = () => expectNoKeyIn(page, keysShown);

/** Signs in on the sign-in page with a fresh code from `npm run pair` (the backend's first admin, Owner). */
async function signInWithCode(): Promise<void> {
  await page.getByLabel('Pairing code').fill(await backend.newPairingCode());
  // exact: the passkey and SSO buttons start with the same words.
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('navigation').getByRole('link', { name: 'Applications' }).waitFor();
}

async function saveKey(key: string): Promise<void> {
  keysShown.push(key);
  const field = page.getByLabel('Stripe API key');
  await field.fill(key);
  await page.getByRole('button', { name: 'Save' }).click();
  // Cleared at once, or gone with the form when the key connects: evaluateAll reads whatever fields
  // there are without waiting for one to appear (inputValue would wait for ever on a removed form).
  await expect
    .poll(() => field.evaluateAll((fields) => fields.map((f) => (f as unknown as { value: string }).value).join('')), { timeout: UI_TIMEOUT })
    .toBe('');
}

describe('the web console', () => {
  beforeAll(async () => {
    buildConsole();
    services = await startBackendWithStripe();
    ({ stripe, backend } = services);
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
  });

  it('signs in with a pairing code, creates an application and connects a key by hand', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // Expected HTTP refusals (the 401 before sign-in, the 422) are logged as failed loads; a CSP violation or a script error is not.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });

    await page.goto(backend.url);
    await page.getByLabel('Pairing code').waitFor();
    // Opened at 127.0.0.1, which can't hold a passkey: the page names the address that can.
    const localhost = backend.url.replace('127.0.0.1', 'localhost');
    expect(await page.getByRole('link', { name: localhost }).getAttribute('href')).toBe(`${localhost}/sign-in`);
    await expectNoAxeViolations(page, 'page', 'console sign-in');
    await screenshot('console-sign-in.png');
    await signInWithCode();
    const header = page.getByRole('banner');
    await header.getByText('Owner', { exact: true }).waitFor();
    await header.getByText('Admin', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'New application' }).click();
    await page.getByLabel('Name').fill('Checkout');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('tab', { name: 'API Integration', selected: true }).waitFor();

    // By keyboard: type, Tab to Stripe, Enter; the key field takes the focus.
    await page.getByLabel('Search integrations').fill('str');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Stripe');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate('document.activeElement.id'), { timeout: UI_TIMEOUT }).toBe('stripe-api-key');
    expect(await page.getByLabel('Stripe API key').getAttribute('type')).toBe('password');

    // A publishable key, then a key Stripe no longer knows: each refused with the guide's hint
    // (the publishable one without reaching Stripe).
    for (const refused of REFUSED_KEYS) {
      const before = stripe.requests.length;
      await saveKey(refused.create(stripe));
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: UI_TIMEOUT }).toContain(refused.message);
      expect(await page.getByRole('alert').textContent()).toContain(refused.hint);
      if (!refused.asksStripe) expect(stripe.requests.length).toBe(before);
      await expectNoFullKey();
    }
    await screenshot('console-refused.png');

    await saveKey(stripe.createKey({ type: 'restricted', mode: 'test' }));
    await page.getByText('Connected', { exact: true }).waitFor();
    await page.getByText('Restricted key').waitFor();
    await expectNoFullKey();
    await expectNoAxeViolations(page, 'page', 'console connected');
    await screenshot('console-connected.png');
    await screenshot('console-connected-400.png', 400);

    // At 400 px nothing runs off the side.
    await page.setViewportSize({ width: 400, height: 800 });
    const [scrollWidth, clientWidth] = (await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as number[];
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole('link', { name: 'Applications' }).first().click();
    await page.getByRole('link', { name: 'Checkout' }).waitFor();
    await screenshot('console-applications.png');
    await expectNoFullKey();
    expect(pageErrors).toEqual([]);
  });

  it('takes the session only with both halves: not the cookie alone, not from another origin, not after sign-out', async () => {
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === SESSION_COOKIE);
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    const secret = (await page.evaluate(SECRET_STORAGE_EXPRESSION)) as string | null;
    expect(secret).toMatch(/^sss_/);
    const halves = { cookie: session!.value, secret };
    expect(await sessionStatus(backend, halves)).toBe(200);
    // The cookie is all a page on another port of this host receives: alone, it is nothing.
    expect(await sessionStatus(backend, { cookie: session!.value, secret: null })).toBe(401);

    const foreign = await fetch(`${backend.url}/api/applications`, {
      method: 'POST',
      headers: {
        cookie: `${SESSION_COOKIE}=${session!.value}`,
        'x-serval-session': secret!,
        origin: 'http://evil.example',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'Evil' }),
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('csrf_rejected');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Pairing code').waitFor();
    expect(await sessionStatus(backend, halves)).toBe(401);
    expect(await page.evaluate(SECRET_STORAGE_EXPRESSION)).toBeNull();
    await expectNoFullKey();
  });

  it('shows missing permissions with both links, re-checks, removes after a confirmation, revokes a device and lists the audit log', async () => {
    await signInWithCode();
    await page.getByRole('link', { name: 'Checkout' }).click();
    await page.getByRole('tab', { name: 'API Integration' }).click();

    await page.getByRole('button', { name: 'Replace key' }).click();
    await saveKey(stripe.createKey({ type: 'restricted', mode: 'test', permissions: ['charges_read', 'customers_read', 'balance_read'] }));
    await page.getByText('Missing permissions', { exact: true }).waitFor();
    await page.getByText('Customers: Write').waitFor();
    expect(await page.getByRole('link', { name: "create a restricted key with Serval's permissions" }).getAttribute('href')).toContain(
      'permissions[]=rak_customer_write',
    );
    await page.getByRole('link', { name: "Edit the key's permissions in Stripe" }).waitFor();
    await expectNoAxeViolations(page, 'page', 'console missing permissions');
    await screenshot('console-missing-permissions.png');

    await page.getByRole('button', { name: 'Re-check' }).click();
    await page.getByText('Missing permissions', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('button', { name: 'Yes, remove the key' }).click();
    await page.getByLabel('Search integrations').waitFor();
    const removed = await backend.api('GET', '/api/applications', { token: (await backend.pairDevice('e2e checker')).token });
    expect(removed.body.applications.find((a: { name: string }) => a.name === 'Checkout').stripe).toBeNull();

    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByText('This session').waitFor();
    await page.getByRole('button', { name: 'Pair a browser' }).click();
    const code = (await page.locator('.pairing-code code').textContent()) ?? '';
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    // The code pairs a device as the signed-in person.
    const paired = await backend.api('POST', '/api/pair', { body: { code, deviceName: 'e2e paired from the console' } });
    expect(paired.status).toBe(201);
    await page.getByRole('button', { name: 'Revoke e2e checker' }).click();
    await expect.poll(() => page.getByText('e2e checker').count(), { timeout: UI_TIMEOUT }).toBe(0);
    await expectNoAxeViolations(page, 'page', 'console devices');
    await screenshot('console-devices.png');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText('integration.removed').first().waitFor();
    await expectNoAxeViolations(page, 'page', 'console audit log');
    await screenshot('console-audit-log.png');
    await expectNoFullKey();
  });

  it('People: invites a person (the link to copy), changes a role, keeps the last admin, disables', async () => {
    const { token } = await backend.pairDevice('e2e people checker');
    const people = async () => (await backend.api('GET', '/api/people', { token })).body.people as { name: string; role: string; disabledAt: string | null }[];
    const grace = async () => (await people()).find((p) => p.name === 'Grace Hopper');

    await page.getByRole('navigation').getByRole('link', { name: 'People' }).click();
    await page.getByRole('combobox', { name: 'Owner', exact: true }).waitFor();
    // Loaded afresh at its own path: the backend serves the console there, and the session outlives the reload.
    await page.goto(`${backend.url}/people`);
    await page.getByRole('combobox', { name: 'Owner', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Invite person' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Grace Hopper');
    await page.getByLabel('Email', { exact: true }).fill('grace@example.com');
    await page.getByLabel('Role', { exact: true }).selectOption('member');
    await page.getByRole('button', { name: 'Create invite' }).click();
    const link = await page.getByLabel('Invite link').inputValue();
    // On loopback the link uses localhost, which can hold a passkey; the token rides in the fragment.
    expect(link).toMatch(new RegExp(`^${backend.url.replace('127.0.0.1', 'localhost')}/invite#inv_[A-Za-z0-9_-]{40,}$`));
    expect(await grace()).toMatchObject({ role: 'member', disabledAt: null });
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    await expectNoAxeViolations(page, 'page', 'console people');
    await screenshot('console-people.png');

    // The link opens the invite page, which says whom it is for (the passkey's own tests add one).
    const invitePage = await browser.newPage();
    try {
      await invitePage.goto(link);
      await invitePage.getByRole('button', { name: 'Add a passkey' }).waitFor({ timeout: UI_TIMEOUT });
      expect(await invitePage.locator('main').textContent()).toContain('This invite is for Grace Hopper, as a member.');
    } finally {
      await invitePage.close();
    }

    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('combobox', { name: 'Grace Hopper' }).selectOption('viewer');
    await expect.poll(async () => (await grace())?.role, { timeout: UI_TIMEOUT }).toBe('viewer');

    // The last enabled admin stays one: 409 last_admin, shown with its hint, and the select goes back.
    await page.getByRole('combobox', { name: 'Owner', exact: true }).selectOption('member');
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: UI_TIMEOUT }).toContain('last enabled admin');
    expect(await page.getByRole('alert').textContent()).toContain('Make another person an admin first.');
    await expect.poll(() => page.getByRole('combobox', { name: 'Owner', exact: true }).inputValue(), { timeout: UI_TIMEOUT }).toBe('admin');

    const graceRow = page.getByRole('listitem').filter({ has: page.getByText('Grace Hopper', { exact: true }) });
    await graceRow.getByRole('button', { name: 'Disable' }).click();
    await graceRow.getByText('Disabled', { exact: true }).waitFor();
    expect((await grace())?.disabledAt).not.toBeNull();
    await graceRow.getByRole('button', { name: 'Enable' }).waitFor();
  });
});
