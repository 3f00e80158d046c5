/**
 * The detector in the real Chromium with the built extension, on the shapes a React dashboard
 * produces that cost the most to watch (issue 15): a dialog with a long permissions table, a
 * list that grows a row at a time, a key a script assigns to an input with nothing else changing.
 * The page is a bare one served at https://dashboard.stripe.com/test/apikeys; no backend is needed:
 * an offer shows the masked key whether or not the extension is paired.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { maskKey } from '../../shared/keys.js';
import { launchWithExtension, type ExtensionBrowser } from './chromium.js';
import { cardFrames } from './accessibility.js';
import { EXTENSION_DIR } from './global-setup.js';
import { offerCount } from './send-world.js';

const KEYS_PAGE = 'https://dashboard.stripe.com/test/apikeys';
const UI_TIMEOUT = 20_000;

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>API keys – Stripe (detection)</title></head>
<body><main><h1>API keys</h1></main><div id="modal-root"></div>
<script>
  // The page's own helpers, as a dashboard would render things.
  window.el = (html) => { const t = document.createElement('template'); t.innerHTML = html.trim(); return t.content.firstElementChild; };
  /** A "Create restricted key" dialog: 'top', then a permissions table of 334 rows (5,000+ nodes), radios in every row. */
  window.permissionsDialog = (top) => {
    const dialog = el('<div role="dialog" aria-modal="true"><h2>Create restricted key</h2></div>');
    dialog.append(top);
    const tbody = document.createElement('tbody');
    for (let i = 0; i < 334; i++) {
      tbody.append(el('<tr><td>Resource ' + i + '</td><td>Read or write resource ' + i + '.</td><td>' +
        ['None', 'Read', 'Write'].map((level) => '<label><input type="radio" name="p' + i + '" value="' + level + '">' + level + '</label>').join('') + '</td></tr>'));
    }
    const table = document.createElement('table');
    table.append(tbody);
    dialog.append(table);
    return dialog;
  };
  window.nodesIn = (root) => { let n = 0; const w = document.createTreeWalker(root); while (w.nextNode()) n++; return n; };
</script></body></html>`;

/** A key in Stripe's current shape, different per test. None of these is real. */
function fakeKey(prefix: 'sk_test_' | 'rk_test_' | 'rk_live_', n: number): string {
  return `${prefix}51Detection${'Qx7Lm2Rt9Kd'.repeat(8).slice(0, 84)}${String(n).padStart(4, '0')}`;
}

let browser: ExtensionBrowser;
let page: Page;

/** How many offers show this key, in the card's frames. */
async function offersOf(key: string): Promise<number> {
  let count = 0;
  for (const frame of cardFrames(page))
    count += await frame
      .getByRole('region', { name: maskKey(key), exact: false })
      .count()
      .catch(() => 0);
  return count;
}

beforeAll(async () => {
  browser = await launchWithExtension(EXTENSION_DIR);
  await browser.context.route('https://dashboard.stripe.com/**', (route) =>
    route.request().resourceType() === 'document'
      ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: PAGE })
      : route.fulfill({ status: 404, body: '' }),
  );
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  await page.goto(KEYS_PAGE);
  // The content script runs at document_idle: wait until it watches (it answers a first key).
  const probe = fakeKey('sk_test_', 9999);
  await page.evaluate(`document.querySelector('main').append(el('<code id="probe">${probe}</code>'))`);
  await expect.poll(() => offersOf(probe), { timeout: UI_TIMEOUT }).toBe(1);
});

describe('detection in Chromium with the built extension', () => {
  it('a key in a 5,000-node dialog is found', async () => {
    const key = fakeKey('rk_live_', 1);
    const nodes = (await page.evaluate(`(() => {
      const dialog = permissionsDialog(el('<p>Your new key: <code>${key}</code></p>'));
      document.getElementById('modal-root').append(dialog);
      return nodesIn(dialog);
    })()`)) as number;
    expect(nodes).toBeGreaterThanOrEqual(5_000);
    await expect.poll(() => offersOf(key), { timeout: UI_TIMEOUT }).toBe(1);
  });

  it('a key a script assigns to the input of a 5,000-node dialog is found, with nothing else on the page changing', async () => {
    const key = fakeKey('rk_test_', 2);
    await page.evaluate(`(() => {
      const field = el('<input id="new-key" readonly aria-label="New key">');
      document.getElementById('modal-root').append(permissionsDialog(field));
    })()`);
    await page.waitForTimeout(300); // the dashboard waits for its API
    await page.evaluate(`document.getElementById('new-key').value = ${JSON.stringify(key)}`); // the property only
    await expect.poll(() => offersOf(key), { timeout: UI_TIMEOUT }).toBe(1);
  });

  it('a key in a list that grows one row at a time is found, and masked keys in it are not offered', async () => {
    const key = fakeKey('sk_test_', 3);
    await page.evaluate(`(async () => {
      const tbody = document.createElement('tbody');
      const table = document.createElement('table');
      table.append(tbody);
      document.querySelector('main').append(table);
      for (let batch = 0; batch < 10; batch++) {
        for (let i = 0; i < 250; i++) {
          const n = batch * 250 + i;
          const token = n === 2_400 ? ${JSON.stringify(key)} : 'rk_test_…' + String(n).padStart(4, '0');
          tbody.append(el('<tr><td>Key ' + n + '</td><td><code>' + token + '</code><button>Reveal</button></td></tr>'));
        }
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    })()`);
    await expect.poll(() => offersOf(key), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await offerCount(page)).toBe(2); // the probe and this key
  });
});
