/**
 * What the content script costs the API keys page, measured the way the page feels it (issue 15):
 * the built extension in the real Chromium, the same page with and without the content script,
 * script time from the DevTools protocol, deferred work included.
 *
 * - The page (bench/extension-page-fixture.ts) is served by `context.route()` at
 *   https://dashboard.stripe.com/test/apikeys, where the content script watches, and at a host it
 *   does not match, in the same browser. A third URL, another dashboard page, shows what the
 *   script costs where it only waits for in-app navigation.
 * - Each sample is a fresh document: it adds 20,000 nodes in one of the shapes, yielding a task
 *   after each batch, then sits for 700 ms so that frame callbacks and anything else deferred
 *   count too. Script time is the page target's `Performance.getMetrics` → ScriptDuration (the
 *   main thread's JavaScript, the extension's isolated world included) before and after.
 * - ScriptDuration adds up script run from tasks and callbacks (timers, the extension's observer,
 *   frame and event callbacks, the injected card) but neither the protocol's own evaluate nor
 *   promise continuations (measured in Chromium 156), and the page builds its nodes in promise
 *   continuations: its own work stays out of both sides. What still varies is mostly where a
 *   garbage collection falls, and a busy machine stretching whatever runs.
 * - With and without alternate, `rounds` times; the figure is the median of the paired
 *   differences, per 1,000 added nodes. The other-page figure, whose true value is 0, shows the
 *   noise left (±0.15 ms per 1,000 nodes on a quiet 2-core machine, more when it is busy).
 * - The figures are only worth something if the content script works: every "with" sample must
 *   end with exactly the offers its shape calls for (none, or one for the key at the end), counted
 *   in the card's frames (card.html, an extension page the page itself cannot see into).
 * - The card's frame is another process: its own script is not the page's main thread and is not
 *   counted; the card host the extension injects into the page is.
 * - "Shown within": from the moment the page shows the key (its clock) to the moment the card's
 *   frame first shows the masked key (the frame's clock, recorded there by SHOWN_AT_SCRIPT), both
 *   in ms since the epoch.
 */
import { spawnSync } from 'node:child_process';
import type { BrowserContext, CDPSession, Frame, Page } from 'playwright-core';
import { REPO_ROOT } from '../test/e2e/backend.js';
import { launchWithExtension } from '../test/e2e/chromium.js';
import { EXTENSION_DIR, extensionBuildIsStale } from '../test/e2e/global-setup.js';
import {
  FOUND_TIMEOUT_MS,
  OFFERS_IN_FRAME,
  PAGE_HTML,
  PAGE_SHAPES,
  SHOWN_AT_SCRIPT,
  type FoundKind,
  type PageRun,
  type PageShape,
} from './extension-page-fixture.js';
import { median } from './stats.js';

export const KEYS_PAGE = 'https://dashboard.stripe.com/test/apikeys';
/** A dashboard page the content script is injected into but does not watch. */
export const OTHER_DASHBOARD_PAGE = 'https://dashboard.stripe.com/test/payments';
/** The same page where no content script runs. */
export const UNMATCHED_PAGE = 'https://serval-bench.invalid/test/apikeys';

const SETTLE_MS = 400;
const TAIL_MS = 700;
/** Rows of masked keys on the page before a key appears, for the found-within figure: 20,000 nodes. */
const FOUND_ROWS = 2_500;

export type ShapeCost = {
  shape: PageShape;
  nodes: number;
  /** Median over rounds of (with − without) script ms, per 1,000 added nodes. */
  scriptMsPer1000: number;
  rounds: number;
};

/** ms from a key appearing to its masked form in the card's frame; the first key of a page also injects the card host. */
export type FoundTimes = { kind: FoundKind; first: number; later: number[] };

export type PageCostReport = {
  chromium: string;
  shapes: ShapeCost[];
  /** Rows at once on a dashboard page that is not the keys page, minus the unmatched host. */
  otherPage: ShapeCost;
  /** The content script's own frames in a CPU profile of the other page's run: should be none. */
  otherPageProfiledMs: number;
  found: FoundTimes[];
};

export type PageCostOptions = {
  rounds?: number;
  shapes?: readonly PageShape[];
  /** Keys timed per kind after the first. */
  foundRepeats?: number;
  /** Which ways a key appears are timed (both by default). */
  foundKinds?: readonly FoundKind[];
  /** Another build to measure (say, an older commit's); by default this checkout's, rebuilt when stale. */
  extensionDir?: string;
};

/** Builds the extension when `.output/chrome-mv3` is missing or older than its sources. */
export function ensureBuilt(): void {
  if (!extensionBuildIsStale()) return;
  const build = spawnSync('npx', ['wxt', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
  if (build.status !== 0) throw new Error('`wxt build` failed, so the content script cannot be measured. Run `npm run build` to see why.');
}

async function serveBenchPage(context: BrowserContext): Promise<void> {
  await context.addInitScript(SHOWN_AT_SCRIPT);
  for (const origin of [new URL(KEYS_PAGE).origin, new URL(UNMATCHED_PAGE).origin]) {
    await context.route(`${origin}/**`, (route) =>
      route.request().resourceType() === 'document'
        ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: PAGE_HTML })
        : route.fulfill({ status: 404, body: '' }),
    );
  }
}

async function scriptSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = metrics.find((m) => m.name === 'ScriptDuration');
  if (!metric) throw new Error('Performance.getMetrics has no ScriptDuration');
  return metric.value;
}

/** A fake key in Stripe's current shape, different each time (its last four characters too). */
let keysMade = 0;
function fakeKey(): string {
  const n = ++keysMade;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let body = '51Bench';
  for (let i = body.length; i < 95; i++) body += alphabet[(i * 7 + n * 13) % alphabet.length];
  return `sk_test_${body}${String(n).padStart(4, '0')}`;
}

/** What the card shows for a key (shared/keys.ts maskKey, for a current-format key). */
function maskedForm(key: string): string {
  return `${key.slice(0, 8)}…${key.slice(-4)}`;
}

/** The card's frames on the page: card.html, one per offer. */
function cardFrames(page: Page) {
  return page.frames().filter((frame) => /^chrome-extension:\/\/[^/]+\/card\.html/.test(frame.url()));
}

/** Offers shown in the card's frames. */
async function offersShown(page: Page): Promise<number> {
  let offers = 0;
  for (const frame of cardFrames(page)) offers += ((await frame.evaluate(OFFERS_IN_FRAME).catch(() => 0)) as number) ?? 0;
  return offers;
}

/** The offers shown once `expected` of them are (a frame loads on its own time), or what there is after FOUND_TIMEOUT_MS. */
async function offersOnceShown(page: Page, expected: number): Promise<number> {
  const deadline = Date.now() + FOUND_TIMEOUT_MS;
  for (;;) {
    const offers = await offersShown(page);
    if (offers === expected || Date.now() > deadline) return offers;
    await page.waitForTimeout(20);
  }
}

/** When (ms since the epoch) a card frame first showed `masked`, and that frame, once one has; null after FOUND_TIMEOUT_MS. */
async function shownAt(page: Page, masked: string): Promise<{ at: number; frame: Frame } | null> {
  const deadline = Date.now() + FOUND_TIMEOUT_MS;
  for (;;) {
    for (const frame of cardFrames(page)) {
      const shown = (await frame.evaluate('window.__servalShown').catch(() => undefined)) as { masked: string; at: number } | undefined;
      if (shown?.masked === masked) return { at: shown.at, frame };
    }
    if (Date.now() > deadline) return null;
    await page.waitForTimeout(20); // only reads the time the frame recorded: how often does not change it
  }
}

/** A fresh document at `url`, the content script (where it runs) started, metrics on. */
async function openFresh(page: Page, url: string): Promise<CDPSession> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-bench-ready]', { state: 'attached' });
  await page.waitForTimeout(SETTLE_MS); // the content script runs at document_idle
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return cdp;
}

type Sample = { scriptMs: number; nodes: number; offers: number };

async function sample(page: Page, url: string, shape: PageShape): Promise<Sample> {
  const cdp = await openFresh(page, url);
  try {
    if (shape === 'key-at-end') await page.evaluate(`window.__servalBenchKey = ${JSON.stringify(fakeKey())}`);
    const before = await scriptSeconds(cdp);
    const run = (await page.evaluate(`__servalBench(${JSON.stringify(shape)})`)) as PageRun;
    await page.waitForTimeout(TAIL_MS);
    const after = await scriptSeconds(cdp);
    const offers = url === KEYS_PAGE && shape === 'key-at-end' ? await offersOnceShown(page, 1) : await offersShown(page);
    return { scriptMs: (after - before) * 1000, nodes: run.nodes, offers };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

async function pairedCost(page: Page, shape: PageShape, withUrl: string, rounds: number): Promise<ShapeCost> {
  const expectedOffers = withUrl === KEYS_PAGE && shape === 'key-at-end' ? 1 : 0;
  const script: number[] = [];
  let nodes = 0;
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so that drift on a busy machine cancels out.
    const order = round % 2 === 0 ? [withUrl, UNMATCHED_PAGE] : [UNMATCHED_PAGE, withUrl];
    const results = new Map<string, Sample>();
    for (const url of order) results.set(url, await sample(page, url, shape));
    const withIt = results.get(withUrl)!;
    const without = results.get(UNMATCHED_PAGE)!;
    if (withIt.offers !== expectedOffers) {
      throw new Error(
        `${shape} at ${withUrl} ended with ${withIt.offers} offer(s), not ${expectedOffers}: the content script is not doing its job, so its cost means nothing.`,
      );
    }
    nodes = withIt.nodes;
    script.push(withIt.scriptMs - without.scriptMs);
  }
  return { shape, nodes, scriptMsPer1000: (median(script) * 1000) / nodes, rounds };
}

/** ms of samples whose stack holds a frame of the extension's scripts, in a CPU profile of `shape` at `url`. */
async function profiledExtensionMs(page: Page, url: string, shape: PageShape): Promise<number> {
  const cdp = await openFresh(page, url);
  try {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    await page.evaluate(`__servalBench(${JSON.stringify(shape)})`);
    await page.waitForTimeout(TAIL_MS);
    const { profile } = await cdp.send('Profiler.stop');
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const inExtension = (id: number | undefined): boolean => {
      for (let node = id === undefined ? undefined : byId.get(id); node; node = byId.get(parentOf.get(node.id) ?? -1)) {
        if (node.callFrame.url.startsWith('chrome-extension://')) return true;
      }
      return false;
    };
    let micros = 0;
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) if (inExtension(samples[i])) micros += deltas[i] ?? 0;
    return micros / 1000;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

async function foundTimes(page: Page, kind: FoundKind, repeats: number): Promise<FoundTimes> {
  await (await openFresh(page, KEYS_PAGE)).detach().catch(() => undefined);
  const times: number[] = [];
  for (let i = 0; i <= repeats; i++) {
    const key = fakeKey();
    const masked = maskedForm(key);
    const at = (await page.evaluate(`__servalFound(${JSON.stringify(kind)}, ${JSON.stringify(key)}, ${JSON.stringify(masked)}, ${FOUND_ROWS})`)) as number;
    const shown = await shownAt(page, masked);
    if (shown === null) throw new Error(`A key shown as ${kind} was not offered within ${FOUND_TIMEOUT_MS / 1000} s: the content script missed it.`);
    times.push(shown.at - at);
    // The person closes the offer before the next key: each key is timed on its own, not behind
    // the earlier offers (a dialog replaced by the next one would reload theirs).
    const closed = page.waitForEvent('framedetached', { predicate: (frame) => frame === shown.frame, timeout: FOUND_TIMEOUT_MS });
    // Close is open to scripts (by-person.ts); the frame may be gone before the evaluation answers.
    await shown.frame.evaluate(`document.querySelector('button[aria-label="Close"]').click()`).catch(() => undefined);
    await closed;
  }
  const [first, ...later] = times;
  return { kind, first, later };
}

async function chromiumVersion(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { product } = await cdp.send('Browser.getVersion');
    return product.replace(/^(Headless)?Chrome\//, 'Chromium ');
  } catch {
    return 'Chromium';
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

export async function measurePageCost(options: PageCostOptions = {}): Promise<PageCostReport> {
  const rounds = options.rounds ?? 7;
  if (!options.extensionDir) ensureBuilt();
  const browser = await launchWithExtension(options.extensionDir ?? EXTENSION_DIR);
  try {
    await serveBenchPage(browser.context);
    const page = await browser.context.newPage();
    const shapes: ShapeCost[] = [];
    for (const shape of options.shapes ?? PAGE_SHAPES) shapes.push(await pairedCost(page, shape, KEYS_PAGE, rounds));
    const otherPage = await pairedCost(page, 'rows-at-once', OTHER_DASHBOARD_PAGE, rounds);
    const otherPageProfiledMs = await profiledExtensionMs(page, OTHER_DASHBOARD_PAGE, 'rows-at-once');
    const found: FoundTimes[] = [];
    for (const kind of options.foundKinds ?? (['text', 'input-value'] as const)) found.push(await foundTimes(page, kind, options.foundRepeats ?? 5));
    return { chromium: await chromiumVersion(page), shapes, otherPage, otherPageProfiledMs, found };
  } finally {
    await browser.close();
  }
}
