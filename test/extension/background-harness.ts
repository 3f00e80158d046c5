/**
 * The background worker's tests: WXT's fake browser, the real handlers behind the real message
 * listener, and a fake backend behind `fetch`. Messages come from the popup unless a test says
 * otherwise.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createServalBackground } from '../../extension/background/serval-background';
import { createMessageListener } from '../../extension/messaging/router';
import { sendToBackground } from '../../extension/messaging/send';
import { createFakeBackend, type FakeBackendOptions } from './fake-backend';
import { EXTENSION, sendFromPopup } from './senders';

/** A fresh fake browser before each test, messages from the popup; mocks and stubs undone after. */
export function useFakeBrowser(): void {
  beforeEach(() => {
    fakeBrowser.reset();
    sendFromPopup();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });
}

/** The background worker, listening, in front of a fake backend. */
export function setup(options: FakeBackendOptions = {}) {
  const backend = createFakeBackend(options);
  const background = createServalBackground({ fetch: backend.fetch, now: () => new Date('2026-03-01T12:00:00Z') });
  browser.runtime.onMessage.addListener(createMessageListener(background.handlers, EXTENSION));
  return { backend, background };
}

/** What the options page's Connect sends. */
export async function pair(backendUrl = 'http://127.0.0.1:8787', code = 'abcd-efgh') {
  return sendToBackground('serval:pair', { backendUrl, code, deviceName: 'Chrome on Linux' });
}
