/**
 * The extension's two figures (issue 3): what the detector costs per 1,000 nodes the dashboard
 * adds without a key, and how much script every dashboard page loads. Called by bench/run.ts.
 *
 * The detector is measured in Chromium (headless, the real DOM) when one is installed
 * (CHROMIUM_PATH or /usr/bin/chromium), and always in happy-dom on Node, a JavaScript DOM whose
 * figures are an upper bound. Both time only the watcher's mutation handler over the records that
 * adding the nodes produced (test/extension/bench/detector-measure.ts says exactly how). That code
 * is type-checked with the DOM alongside the extension's tests, so it is loaded here by path: this
 * file is checked with the server's Node-only settings.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { round, type BenchResult } from './stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = path.join(ROOT, 'test', 'extension', 'bench');
const OUTPUT = path.join(ROOT, '.output', 'chrome-mv3');
const CONTENT_SCRIPT = path.join(OUTPUT, 'content-scripts', 'content.js');
const CARD_SCRIPT = path.join(OUTPUT, 'card.js');

type DetectorShape = 'rows-one-subtree' | 'rows-one-by-one' | 'masked-key-rows';
type DetectorCost = { shape: DetectorShape; nodes: number; msPer1000Nodes: number; keysFound: number };
const SHAPES: DetectorShape[] = ['rows-one-subtree', 'rows-one-by-one', 'masked-key-rows'];
const SHAPE_LABELS: Record<DetectorShape, string> = {
  'rows-one-subtree': 'rows added as one subtree',
  'rows-one-by-one': 'rows added one by one',
  'masked-key-rows': 'API key rows with masked keys',
};

async function inHappyDom(): Promise<DetectorCost[]> {
  const module = (await import(pathToFileURL(path.join(BENCH_DIR, 'detector-cost.ts')).href)) as {
    measureInHappyDom(shape: DetectorShape): DetectorCost;
  };
  return SHAPES.map((shape) => module.measureInHappyDom(shape));
}

function findChromium(): string | null {
  const candidate = process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';
  return fs.existsSync(candidate) ? candidate : null;
}

async function inChromium(executablePath: string): Promise<{ version: string; costs: DetectorCost[] }> {
  const { build } = await import('esbuild');
  const bundle = await build({
    entryPoints: [path.join(BENCH_DIR, 'in-page.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><title>detector bench</title><body></body>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const costs: DetectorCost[] = [];
    // A string expression: nothing of this file's compiled helpers leaks into the page.
    for (const shape of SHAPES) costs.push((await page.evaluate(`__servalDetectorCost(${JSON.stringify(shape)})`)) as DetectorCost);
    return { version: browser.version(), costs };
  } finally {
    await browser.close();
  }
}

function detectorRows(where: string, costs: DetectorCost[], headline: boolean): BenchResult[] {
  if (costs.some((c) => c.keysFound > 0)) throw new Error(`The detector found a key in rows that hold none (${where}): the measurement is wrong.`);
  const worst = Math.max(...costs.map((c) => c.msPer1000Nodes));
  const rows: BenchResult[] = [
    {
      name: `detector per 1,000 added nodes, no key, worst case (${where})`,
      value: round(worst, 3),
      unit: 'ms',
      ...(headline ? { target: '≤ 1 ms', ok: worst <= 1 } : {}),
    },
  ];
  for (const cost of costs) rows.push({ name: `  ${SHAPE_LABELS[cost.shape]}`, value: round(cost.msPer1000Nodes, 3), unit: 'ms' });
  return rows;
}

function gzipKb(file: string): number {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length / 1024;
}

function ensureBuilt(): void {
  if (fs.existsSync(CONTENT_SCRIPT)) return;
  const build = spawnSync('npx', ['wxt', 'build'], { cwd: ROOT, stdio: 'ignore' });
  if (build.status !== 0) throw new Error('`wxt build` failed, so the content script cannot be measured. Run `npm run build` to see why.');
}

export async function benchExtension(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];

  const chromiumPath = findChromium();
  let chromium: { version: string; costs: DetectorCost[] } | null = null;
  if (chromiumPath) {
    try {
      chromium = await inChromium(chromiumPath);
    } catch (error) {
      console.warn(`  (Chromium at ${chromiumPath} could not run the detector benchmark: ${(error as Error).message.split('\n')[0]})`);
    }
  }
  if (chromium) results.push(...detectorRows(`Chromium ${chromium.version}`, chromium.costs, true));
  results.push(...detectorRows('happy-dom, a JavaScript DOM: upper bound', await inHappyDom(), chromium === null));

  ensureBuilt();
  const contentKb = gzipKb(CONTENT_SCRIPT);
  results.push({ name: 'content script injected at page load, gzip', value: round(contentKb, 2), unit: 'KB', target: '≤ 15 KB', ok: contentKb <= 15 });
  if (fs.existsSync(CARD_SCRIPT)) {
    results.push({ name: '  offer card, injected only once a key is found, gzip', value: round(gzipKb(CARD_SCRIPT), 2), unit: 'KB' });
  }
  return results;
}
