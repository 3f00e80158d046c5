/**
 * Serves the fixture dashboard at https://dashboard.stripe.com/… inside the test browser. The
 * keys the fixture reveals or creates are whatever the test puts in `keys` — real keys from the
 * Stripe-compatible test server — fetched by the page only when the user reveals or creates one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Route } from 'playwright-core';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export const DASHBOARD = 'https://dashboard.stripe.com';

/**
 * Which key the page gets for "Reveal test key", "Create secret key", "Create restricted key",
 * ⋯ → "Rotate key", and "Reveal key" on the organization's API keys page (/org/api-keys/secret).
 */
export type KeySlot = 'reveal' | 'secret' | 'restricted' | 'rotate' | 'org';

export type Dashboard = { keys: Partial<Record<KeySlot, string>> };

function page(file: string): string {
  return fs.readFileSync(path.join(FIXTURES, file), 'utf8');
}

export async function serveDashboard(context: BrowserContext): Promise<Dashboard> {
  const dashboard: Dashboard = { keys: {} };
  await context.route(`${DASHBOARD}/**`, async (route: Route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/__fixture/key') {
      const key = dashboard.keys[url.searchParams.get('slot') as KeySlot];
      await route.fulfill(key ? { status: 200, contentType: 'text/plain', body: key } : { status: 404, body: 'no key for this slot' });
      return;
    }
    if (route.request().resourceType() !== 'document') {
      await route.fulfill({ status: 404, body: '' });
      return;
    }
    // Live-mode keys page: only masked and publishable keys. Everything else is the SPA.
    const file = url.pathname.replace(/\/$/, '') === '/apikeys' ? 'masked-keys.html' : 'app.html';
    await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: page(file) });
  });
  return dashboard;
}
