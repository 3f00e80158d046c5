/**
 * Who sends a runtime message, as Chrome describes it to the background worker: the extension's
 * own pages carry our id and a chrome-extension:// URL; a content script carries the dashboard's
 * URL and its tab. WXT's fake browser delivers every message with an empty sender, which the
 * router rightly treats as a page, so tests of the popup and options say who is sending.
 */
import { vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { ExtensionIdentity, Sender } from '../../extension/messaging/router';

/** The fake browser's extension (its `runtime.id` and `runtime.getURL('/')`). */
export const EXTENSION: ExtensionIdentity = { id: 'test-extension-id', baseUrl: 'chrome-extension://test-extension-id/' };

export const POPUP_SENDER: Sender = { id: EXTENSION.id, url: `${EXTENSION.baseUrl}popup.html`, origin: 'chrome-extension://test-extension-id' };

export function dashboardSender(url = 'https://dashboard.stripe.com/test/apikeys'): Sender {
  return { id: EXTENSION.id, tab: { id: 7 } as Sender['tab'], frameId: 0, url, origin: 'https://dashboard.stripe.com' };
}

/** From now on, `runtime.sendMessage` arrives as Chrome would deliver it from the popup. */
export function sendFromPopup(): void {
  vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockImplementation((async (message: unknown) => {
    const answers: unknown[] = await fakeBrowser.runtime.onMessage.trigger(message, POPUP_SENDER, undefined as never);
    return answers.find((answer) => answer !== undefined);
  }) as never);
}
