/**
 * Finding Chromium and launching it with the unpacked extension loaded. Debian's
 * `/usr/bin/chromium` by default; `CHROMIUM_PATH` overrides it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export class ChromiumNotFoundError extends Error {}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The Chromium to drive: `CHROMIUM_PATH`, else Debian's. Throws with the ways to get one. */
export function findChromium(env: Record<string, string | undefined> = process.env, defaultPath = DEFAULT_CHROMIUM_PATH): string {
  const fromEnv = env.CHROMIUM_PATH?.trim();
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new ChromiumNotFoundError(
      `CHROMIUM_PATH is set to ${fromEnv}, which is not an executable file.\n` +
        'Point it at a Chromium or Chrome binary, or unset it to use /usr/bin/chromium.',
    );
  }
  if (isExecutable(defaultPath)) return defaultPath;
  throw new ChromiumNotFoundError(
    `The end-to-end tests need Chromium, and there is none at ${defaultPath} (CHROMIUM_PATH is not set).\n` +
      `  - Debian/Ubuntu: apt-get install -y chromium   (installs ${DEFAULT_CHROMIUM_PATH})\n` +
      '  - elsewhere: npx playwright install chromium, then set CHROMIUM_PATH to the binary it prints\n' +
      '    (or set CHROMIUM_PATH to any Chromium/Chrome you already have).',
  );
}

/** Flags for running as root, offline, on a small machine. */
const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export type ExtensionBrowser = {
  context: BrowserContext;
  extensionId: string;
  /** The extension's background service worker, woken up if Chromium had stopped it. */
  serviceWorker(): Promise<Worker>;
  /** `chrome-extension://<id>/<file>` */
  extensionUrl(file: string): string;
  /** A new tab on an extension page, e.g. `options.html`, `popup.html`. */
  openExtensionPage(file: string, viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
};

const WORKER_TIMEOUT_MS = 30_000;

function extensionIdOf(worker: Worker): string | null {
  const match = /^chrome-extension:\/\/([a-p]{32})\//.exec(worker.url());
  return match ? match[1] : null;
}

/** Chromium with only the given unpacked extension, in a fresh temporary profile. */
export async function launchWithExtension(extensionDir: string): Promise<ExtensionBrowser> {
  const executablePath = findChromium();
  if (!fs.existsSync(path.join(extensionDir, 'manifest.json'))) {
    throw new Error(`No built extension in ${extensionDir} (manifest.json missing). Run \`npm run build\`.`);
  }
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-e2e-'));
  const userDataDir = path.join(runDir, 'profile');
  // A private copy: a rebuild of .output/chrome-mv3 during the run (a developer's `npm run build`)
  // cannot change the extension under the browser's feet.
  const loadedDir = path.join(runDir, 'extension');
  fs.cpSync(extensionDir, loadedDir, { recursive: true });
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    timeout: 60_000,
    args: [...BASE_ARGS, `--disable-extensions-except=${loadedDir}`, `--load-extension=${loadedDir}`],
  });
  context.setDefaultTimeout(20_000);

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await context.close().catch(() => undefined);
    fs.rmSync(runDir, { recursive: true, force: true });
  };

  try {
    const current = () => context.serviceWorkers().find((w) => extensionIdOf(w) !== null);
    const first = current() ?? (await context.waitForEvent('serviceworker', { timeout: WORKER_TIMEOUT_MS, predicate: (w) => extensionIdOf(w) !== null }));
    const extensionId = extensionIdOf(first)!;
    const extensionUrl = (file: string) => `chrome-extension://${extensionId}/${file.replace(/^\//, '')}`;

    /**
     * A page in a window of its own. Playwright sizes a page by resizing its window
     * (Browser.setWindowBounds), and the tabs of a window share it: a popup at 400×640 opened as
     * a tab would shrink the dashboard tab's real view under its emulated 1280×800, and Chromium
     * routes a click beyond the real view — on the card's frame, in a corner — to the page
     * instead of the frame. A person's window has one size; the popup and options are their own.
     */
    const newWindow = async (): Promise<Page> => {
      const opener = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(opener);
      try {
        const opened = context.waitForEvent('page');
        await cdp.send('Target.createTarget', { url: 'about:blank', newWindow: true });
        return await opened;
      } finally {
        await cdp.detach().catch(() => undefined);
      }
    };

    const serviceWorker = async (): Promise<Worker> => {
      const live = context.serviceWorkers().find((w) => extensionIdOf(w) === extensionId);
      if (live) return live;
      // MV3 workers stop when idle; any extension page wakes the worker up again.
      const waiting = context.waitForEvent('serviceworker', {
        timeout: WORKER_TIMEOUT_MS,
        predicate: (w) => extensionIdOf(w) === extensionId,
      });
      const page = await context.newPage();
      try {
        await page.goto(extensionUrl('popup.html'));
        return await waiting;
      } finally {
        await page.close();
      }
    };

    const openExtensionPage = async (file: string, viewport?: { width: number; height: number }) => {
      const page = await newWindow();
      if (viewport) await page.setViewportSize(viewport);
      await page.goto(extensionUrl(file));
      return page;
    };

    return { context, extensionId, serviceWorker, extensionUrl, openExtensionPage, close };
  } catch (error) {
    await close();
    throw error;
  }
}
