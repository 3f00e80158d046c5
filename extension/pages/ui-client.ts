/**
 * What the popup and the options page ask for. Pairing asks the browser for access to a backend
 * that is not on loopback *here*, in the Connect click, because only a user gesture in an
 * extension page may trigger that prompt. Tests substitute their own client.
 */
import { browser } from 'wxt/browser';
import type { IntegrationWithValidation } from '../../shared/api.js';
import { clientError } from '../../ui/errors';
import { OFFER_AGAIN, type OfferAgainReply, type PairingState, type Reply, type StatusReport } from '../messaging/protocol';
import { sendToBackground } from '../messaging/send';
import { deviceNameFrom, hostPermissionPattern, needsHostPermission, normalizeBackendUrl } from '../pairing/backend-url';
import { pairingItem } from '../storage';

export type UiClient = {
  getState(): Promise<Reply<PairingState>>;
  pair(backendUrl: string, code: string): Promise<Reply<PairingState>>;
  disconnect(): Promise<Reply<PairingState>>;
  getStatus(): Promise<Reply<StatusReport>>;
  recheck(applicationId: string): Promise<Reply<IntegrationWithValidation>>;
  setDefaultApplication(applicationId: string | null): Promise<Reply<PairingState>>;
  /** Asks the Stripe Dashboard tab in front to offer its keys again (after a dismissal). */
  offerAgainOnActiveTab(): Promise<Reply<OfferAgainReply>>;
  openOptions(): Promise<void>;
  /** Calls back when the pairing changes elsewhere (another window, a 401 seen by the worker). */
  watchPairing(callback: () => void): () => void;
};

export const backgroundUiClient: UiClient = {
  getState: () => sendToBackground('serval:get-state'),
  async pair(backendUrl, code) {
    const normalized = normalizeBackendUrl(backendUrl);
    if (!normalized.ok) return { ok: false, error: clientError(normalized.code) };
    if (needsHostPermission(normalized.url)) {
      let granted = false;
      try {
        granted = await browser.permissions.request({ origins: [hostPermissionPattern(normalized.url)] });
      } catch {
        granted = false;
      }
      if (!granted) return { ok: false, error: clientError('host_permission_denied') };
    }
    return sendToBackground('serval:pair', { backendUrl: normalized.url, code, deviceName: deviceNameFrom(navigator.userAgent) });
  },
  disconnect: () => sendToBackground('serval:disconnect'),
  getStatus: () => sendToBackground('serval:get-status'),
  recheck: (applicationId) => sendToBackground('serval:recheck', { applicationId }),
  setDefaultApplication: (applicationId) => sendToBackground('serval:set-default-application', { applicationId }),
  async offerAgainOnActiveTab() {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    if (tab?.id === undefined) return { ok: false, error: clientError('no_tab') };
    try {
      const reply = (await browser.tabs.sendMessage(tab.id, { type: OFFER_AGAIN })) as OfferAgainReply | undefined;
      return { ok: true, data: reply ?? { offered: 0 } };
    } catch {
      return { ok: false, error: clientError('not_on_dashboard') };
    }
  },
  async openOptions() {
    await browser.runtime.openOptionsPage();
  },
  watchPairing: (callback) => pairingItem.watch(() => callback()),
};
