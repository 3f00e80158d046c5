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
 * - With and without alternate, ROUNDS times; the figure is the median of the paired differences,
 *   per 1,000 added nodes.
 */
import { spawnSync } from 'node:child_process';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchWithExtension } from '../test/e2e/chromium.js';
import { EXTENSION_DIR, extensionBuildIsStale } from '../test/e2e/global-setup.js';
import { REPO_ROOT } from '../test/e2e/backend.js';
import { PAGE_HTML, PAGE_SHAPES, type FoundKind, type PageRun, type PageShape } from './extension-page-fixture.js';
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
  wallMsPer1000: number;
  rounds: number;
};

export type FoundTimes = { kind: FoundKind; first: number | null; later: number[] };

export type PageCostReport = {
  chromium: string;
  shapes: ShapeCost[];
  /** Rows at once on a dashboard page that is not the keys page, minus the unmatched host. */
  otherPage: ShapeCost;
  found: FoundTimes[];
};

function ensureBuilt(): void {
  if (!extensionBuildIsStale()) return;
  const build = spawnSync('npx', ['wxt', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
  if (build.status !== 0) throw new Error('`wxt build` failed, so the content script cannot be measured. Run `npm run build` to see why.');
}

async function serveBenchPage(context: BrowserContext): Promise<void> {
  for (const origin of ['https://dashboard.stripe.com', 'https://serval-bench.invalid']) {
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

/** A fake key in Stripe's current shape, different each time (the last four characters too). */
function fakeKey(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let body = '51Bench';
  for (let i = body.length; i < 95; i++) body += alphabet[(i * 7 + n * 13) % alphabet.length];
  return `sk_test_${body}${String(n).padStart(4, '0')}`;
}

async function openFresh(page: Page, url: string): Promise<CDPSession> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-bench-ready]', { state: 'attached' });
  await page.waitForTimeout(SETTLE_MS); // the content script runs at document_idle
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return cdp;
}

let keyCounter = 0;

async function sample(page: Page, url: string, shape: PageShape): Promise<{ scriptMs: number; wallMs: number; nodes: number }> {
  const cdp = await openFresh(page, url);
  try {
    if (shape === 'key-at-end') await page.evaluate(`window.__servalBenchKey = ${JSON.stringify(fakeKey(++keyCounter))}`);
    const before = await scriptSeconds(cdp);
    const run = (await page.evaluate(`__servalBench(${JSON.stringify(shape)})`)) as PageRun;
    await page.waitForTimeout(TAIL_MS);
    const after = await scriptSeconds(cdp);
    return { scriptMs: (after - before) * 1000, wallMs: run.wallMs, nodes: run.nodes };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

async function pairedCost(page: Page, shape: PageShape, withUrl: string, rounds: number): Promise<ShapeCost> {
  const script: number[] = [];
  const wall: number[] = [];
  let nodes = 0;
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so that drift on a busy machine cancels out.
    const order = round % 2 === 0 ? [withUrl, UNMATCHED_PAGE] : [UNMATCHED_PAGE, withUrl];
    const results: Record<string, Awaited<ReturnType<typeof sample>>> = {};
    for (const url of order) results[url] = await sample(page, url, shape);
    const withIt = results[withUrl];
    const without = results[UNMATCHED_PAGE];
    nodes = withIt.nodes;
    script.push(withIt.scriptMs - without.scriptMs);
    wall.push(withIt.wallMs - without.wallMs);
  }
  return { shape, nodes, scriptMsPer1000: (median(script) * 1000) / nodes, wallMsPer1000: (median(wall) * 1000) / nodes, rounds };
}

function maskedForm(key: string): string {
  return `${key.slice(0, 8)}…${key.slice(-4)}`;
}

async function foundTimes(page: Page, kind: FoundKind, repeats: number): Promise<FoundTimes> {
  const cdp = await openFresh(page, KEYS_PAGE);
  await cdp.detach().catch(() => undefined);
  const times: Array<number | null> = [];
  for (let i = 0; i <= repeats; i++) {
    const key = fakeKey(++keyCounter);
    times.push((await page.evaluate(`__servalFound(${JSON.stringify(kind)}, ${JSON.stringify(key)}, ${JSON.stringify(maskedForm(key))}, ${FOUND_ROWS})`)) as number | null);
  }
  const [first, ...later] = times;
  if (later.some((t) => t === null)) throw new Error(`A ${kind} key was not offered within 3 s: the content script missed it.`);
  return { kind, first, later: later as number[] };
}

export type PageCostOptions = {
  rounds?: number;
  shapes?: readonly PageShape[];
  foundRepeats?: number;
  /** Another build to measure (say, an older commit's); by default this checkout's, rebuilt when stale. */
  extensionDir?: string;
};

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
    const found: FoundTimes[] = [];
    for (const kind of ['text', 'input-value'] as const) found.push(await foundTimes(page, kind, options.foundRepeats ?? 5));
    const version = /Chrome\/([\d.]+)/.exec((await page.evaluate('navigator.userAgent')) as string)?.[1];
    return { chromium: `Chromium ${version ?? '(unknown version)'}`, shapes, otherPage, found };
  } finally {
    await browser.close();
  }
}
