/**
 * The offer card in Firefox ESR, through puppeteer: card.html is an extension page in a frame
 * inside the card host's closed shadow root. The page's own scripts cannot reach into it; the
 * test driver can, frame by frame (the counterpart of send-world.ts's helpers for Chromium).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Frame, Page } from 'puppeteer-core';
import { maskKey } from '../../shared/keys.js';
import { REPO_ROOT } from './backend.js';
import { DASHBOARD } from './dashboard.js';

const UI_TIMEOUT = 20_000;
const FIXTURES = path.join(REPO_ROOT, 'test', 'e2e', 'fixtures');
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The fixture dashboard at https://dashboard.stripe.com/…, answered by request interception. */
export async function serveDashboard(page: Page, keys: { reveal?: string; rotate?: string; restricted?: string; org?: string }): Promise<void> {
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

export const innerText = (target: Page | Frame) => target.evaluate(() => (globalThis as any).document.body?.innerText ?? '');

/** The card's frame showing `key` (masked), among the tab's frames at `extensionBase`card.html. */
export async function cardFor(tab: Page, extensionBase: string, key: string): Promise<Frame> {
  const masked = maskKey(key);
  const deadline = Date.now() + UI_TIMEOUT;
  for (;;) {
    for (const frame of tab.frames()) {
      if (!frame.url().startsWith(`${extensionBase}card.html`)) continue;
      if ((await innerText(frame).catch(() => '')).includes(masked)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no card frame shows ${masked}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // polling for a frame's text: puppeteer has no event for it
  }
}

/** Waits until the card's frame says `words`. */
export async function cardSays(card: Frame, words: string): Promise<void> {
  await card.waitForFunction((w) => ((globalThis as any).document.body?.innerText ?? '').includes(w), { timeout: UI_TIMEOUT }, words);
}

/** Waits until no frame of the tab is the card's frame showing `key`. */
export async function cardGone(tab: Page, extensionBase: string, key: string): Promise<void> {
  const masked = maskKey(key);
  const deadline = Date.now() + UI_TIMEOUT;
  for (;;) {
    let showing = false;
    for (const frame of tab.frames()) {
      if (frame.url().startsWith(`${extensionBase}card.html`) && (await innerText(frame).catch(() => '')).includes(masked)) showing = true;
    }
    if (!showing) return;
    if (Date.now() > deadline) throw new Error(`a card frame still shows ${masked}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export type Focused = { inCard: boolean; tag: string | null; name: string | null; role: string | null; text: string; focusVisible: boolean };

/** The element with keyboard focus: in the page, or (when the page's focus is on the card's host) in the card's frame. */
export async function focused(tab: Page, card: Frame): Promise<Focused> {
  const describe = (inCard: boolean) => {
    const { document } = globalThis as any;
    const active = document.activeElement;
    if (!active || active === document.body) return { inCard, tag: null, name: null, role: null, text: '', focusVisible: false };
    return {
      inCard,
      tag: active.localName as string,
      name: (active.getAttribute('aria-label') || active.labels?.[0]?.textContent || null) as string | null,
      role: active.getAttribute('role') as string | null,
      text: ((active.innerText || active.textContent || '') as string).trim(),
      focusVisible: active.matches(':focus-visible') as boolean,
    };
  };
  const outer: Focused = await tab.evaluate(describe, false);
  if (outer.tag !== 'serval-key-offer') return outer;
  return card.evaluate(describe, true);
}

/** Waits until focus is where `expected` says. */
export async function focusReaches(tab: Page, card: Frame, expected: (f: Focused) => boolean): Promise<Focused> {
  const deadline = Date.now() + UI_TIMEOUT;
  for (;;) {
    const now = await focused(tab, card);
    if (expected(now)) return now;
    if (Date.now() > deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** axe-core's violations in the card's frame (a part of the page: the whole-page rules are off). */
export async function axeInCard(card: Frame): Promise<string[]> {
  if (!(await card.evaluate(() => 'axe' in globalThis))) await card.evaluate(AXE_SOURCE);
  return card.evaluate(async () => {
    const { axe, document } = globalThis as any;
    const results = await axe.run(document, {
      resultTypes: ['violations'],
      rules: { 'landmark-one-main': { enabled: false }, 'page-has-heading-one': { enabled: false } },
    });
    return results.violations.flatMap((v: any) => v.nodes.map((n: any) => `${v.id} (${v.impact}): ${JSON.stringify(n.target)} ${n.failureSummary}`));
  });
}
