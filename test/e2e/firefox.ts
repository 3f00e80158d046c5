/**
 * Firefox ESR, driven by puppeteer-core over WebDriver BiDi — the recipe in shared/FIREFOX.md:
 * kept off the network (no non-local connections, and a loopback proxy that answers 502 to
 * whatever it still tries); for the extension's tests, the built extension (.output/firefox-mv3)
 * as a temporary add-on at a fixed moz-extension:// uuid.
 */
import http from 'node:http';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const DEFAULT_FIREFOX_PATH = '/usr/bin/firefox-esr';
/** wxt.config.ts's gecko id. */
const GECKO_ID = 'serval-for-stripe@serval.dev';
const EXTENSION_UUID = '5e7a1c2d-0b9f-4c3e-8a61-2f4d9e0c7b13';

export function findFirefox(env: Record<string, string | undefined> = process.env): string {
  const path = env.FIREFOX_PATH ?? DEFAULT_FIREFOX_PATH;
  if (!fs.existsSync(path)) throw new Error(`No Firefox at ${path}: install Debian's firefox-esr (apt-get install -y firefox-esr) or set FIREFOX_PATH.`);
  return path;
}

/** Firefox ESR, headless, kept off the network; `close()` also stops the loopback proxy. */
export type OfflineFirefox = { browser: Browser; close(): Promise<void> };

export async function launchFirefox(options: { extraPrefs?: Record<string, unknown>; args?: string[] } = {}): Promise<OfflineFirefox> {
  const proxy = http.createServer((_req, res) => res.writeHead(502).end());
  proxy.on('connect', (_req, socket) => socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;
  const stopProxy = () => new Promise<void>((resolve) => proxy.close(() => resolve()));

  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: findFirefox(),
      headless: true,
      args: options.args ?? [],
      env: { ...process.env, MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' },
      extraPrefsFirefox: {
        'network.proxy.type': 1,
        'network.proxy.http': '127.0.0.1',
        'network.proxy.http_port': proxyPort,
        'network.proxy.ssl': '127.0.0.1',
        'network.proxy.ssl_port': proxyPort,
        'network.proxy.allow_hijacking_localhost': false,
        ...options.extraPrefs,
      },
    });
  } catch (error) {
    await stopProxy();
    throw error;
  }
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await stopProxy();
    },
  };
}

export type FirefoxWithExtension = OfflineFirefox & {
  /** moz-extension://<uuid>/ */
  extensionBase: string;
  /** Opens popup.html or options.html; BiDi never reports that navigation as finished, so this waits for the path. */
  openExtensionPage(file: string): Promise<Page>;
};

/** `prefs`: more preferences, say `layout.css.prefers-color-scheme.content-override` (0 dark, 1 light). */
export async function launchFirefoxWithExtension(extensionDir: string, prefs: Record<string, unknown> = {}): Promise<FirefoxWithExtension> {
  const firefox = await launchFirefox({
    args: ['--remote-allow-system-access'], // to open moz-extension:// pages
    extraPrefs: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: EXTENSION_UUID }), ...prefs },
  });
  const { browser } = firefox;
  await browser.installExtension(extensionDir);
  const extensionBase = `moz-extension://${EXTENSION_UUID}/`;

  return {
    ...firefox,
    extensionBase,
    async openExtensionPage(file) {
      // Firefox can answer an evaluation in the document a new tab is replacing with a protocol
      // error instead of a result, and now and then (a loaded machine, the tab's first navigation
      // into the extension's process) that tab keeps answering so: then wait in a fresh tab.
      let lastError: unknown;
      for (let attempt = 0; attempt < 3; attempt++) {
        const page = await browser.newPage();
        void page.goto(`${extensionBase}${file}`).catch(() => undefined);
        const deadline = Date.now() + 10_000;
        for (;;) {
          try {
            await page.waitForFunction((path) => (globalThis as any).location.pathname === path, { timeout: Math.max(1, deadline - Date.now()) }, `/${file}`);
            return page;
          } catch (error) {
            lastError = error;
            if ((error as Error).name === 'TimeoutError' || Date.now() >= deadline) break;
          }
        }
        await page.close().catch(() => undefined);
      }
      throw lastError;
    },
  };
}
