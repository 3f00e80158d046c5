/**
 * The background worker: the only part of the extension that talks to the Serval backend. It
 * answers the protocol's messages, keeps the pairing in storage, polls the status for the
 * toolbar badge, and hands a key from the page to the card's frame (offers.ts).
 *
 * The Stripe key passes through `serval:send-key` (and `serval:rotate-key`) on its way to the backend and is held
 * nowhere else: not in storage, not in a variable that outlives the request, not in a log.
 */
import { browser } from 'wxt/browser';
import { ERRORS, errorBody } from '../../shared/errors.js';
import { parseKey } from '../../shared/keys.js';
import { clientError, type ServalError } from '../../ui/errors';
import type { PairingState, Reply, StatusReport } from '../messaging/protocol';
import type { Handlers } from '../messaging/router';
import { hostPermissionPattern, needsHostPermission, normalizeBackendUrl } from '../pairing/backend-url';
import {
  backendUrlItem,
  defaultApplicationItem,
  lastStatusItem,
  pairingItem,
  rememberPerson,
  unpairedReasonItem,
  type Pairing,
  type StatusSnapshot,
} from '../storage';
import type { ApiClient, ApiReply, StatusAnswer } from '../../ui/api-client';
import { createBackendClient } from './backend-client';
import { badgeFor } from './badge';
import { createCardHandlers } from './offers';

export const STATUS_ALARM = 'serval:poll-status';
export const STATUS_POLL_MINUTES = 1;

export type ServalBackgroundOptions = { fetch?: typeof fetch; now?: () => Date };

function fail<T>(error: ServalError): Reply<T> {
  return { ok: false, error };
}

/** What a Send carries of the Rotate dialog's Expiration: the time, when the card gave one (the backend checks its range). */
const expiryOf = (previousKeyExpiresAt: unknown) => (typeof previousKeyExpiresAt === 'string' ? { previousKeyExpiresAt } : {});

export function createServalBackground(options: ServalBackgroundOptions = {}) {
  const now = options.now ?? (() => new Date());
  const clientFor = (backendUrl: string, token?: string) => createBackendClient({ baseUrl: backendUrl, token, fetch: options.fetch });

  async function pairingState(): Promise<PairingState> {
    const [pairing, backendUrl, unpairedReason, defaultApplicationId] = await Promise.all([
      pairingItem.getValue(),
      backendUrlItem.getValue(),
      unpairedReasonItem.getValue(),
      defaultApplicationItem.getValue(),
    ]);
    return {
      paired: pairing !== null,
      backendUrl: pairing?.backendUrl ?? backendUrl,
      device: pairing?.device ?? null,
      person: pairing?.person ?? null,
      unpairedReason,
      defaultApplicationId,
    };
  }

  async function updateBadge(): Promise<void> {
    const [pairing, snapshot] = await Promise.all([pairingItem.getValue(), lastStatusItem.getValue()]);
    const badge = badgeFor(pairing !== null, snapshot);
    await Promise.all([
      browser.action.setBadgeText({ text: badge.text }),
      browser.action.setBadgeBackgroundColor({ color: badge.color }),
      browser.action.setTitle({ title: badge.title }),
    ]);
  }

  /** A 401 means this device's token was revoked: forget it and send the UI back to pairing. */
  async function forgetRevokedPairing(): Promise<void> {
    await pairingItem.setValue(null);
    await unpairedReasonItem.setValue('revoked');
    await lastStatusItem.setValue(null);
    await updateBadge();
  }

  /** Runs a backend call with the stored pairing, turning "no pairing" and 401s into errors the UI understands. */
  async function withPairing<T>(call: (client: ApiClient, pairing: Pairing) => Promise<ApiReply<T>>): Promise<Reply<T>> {
    const pairing = await pairingItem.getValue();
    if (!pairing) return fail(clientError('not_paired'));
    const reply = await call(clientFor(pairing.backendUrl, pairing.token), pairing);
    if (reply.ok) return { ok: true, data: reply.data };
    if (reply.status === 401) {
      await forgetRevokedPairing();
      return fail({ ...reply.error, code: 'unauthorized', hint: reply.error.hint ?? ERRORS.unauthorized.hint });
    }
    return fail(reply.error);
  }

  /** GET /api/status, remembering the person it names. */
  function askStatus(): Promise<Reply<StatusAnswer>> {
    return withPairing(async (client, pairing) => {
      const answer = await client.status();
      if (answer.ok) await rememberPerson(pairing.token, answer.data.person);
      return answer;
    });
  }

  async function recordStatus(snapshot: StatusSnapshot | null): Promise<void> {
    await lastStatusItem.setValue(snapshot);
    await updateBadge();
  }

  function reachableSnapshot(status: StatusAnswer, checkedAt = now().toISOString()): StatusSnapshot {
    return {
      checkedAt,
      reachable: true,
      connected: status.integrations.connected,
      needsAttention: status.integrations.needsAttention,
      rotationDue: status.integrations.rotationDue,
      expiringSoon: status.integrations.expiringSoon,
      applications: status.applications,
    };
  }

  /** The backend did not answer: the badge says so, keeping the last counts it knew. */
  async function recordUnreachable(): Promise<void> {
    const previous = await lastStatusItem.getValue();
    await recordStatus({
      checkedAt: now().toISOString(),
      reachable: false,
      connected: previous?.connected ?? 0,
      needsAttention: previous?.needsAttention ?? 0,
      rotationDue: previous?.rotationDue ?? 0,
      expiringSoon: previous?.expiringSoon ?? 0,
      applications: previous?.applications ?? 0,
    });
  }

  /**
   * Polled by the alarm, run after every change and with every card's list: keeps the badge
   * honest. One at a time, so that the badge ends on the answer asked for last.
   */
  let refreshing: Promise<unknown> = Promise.resolve();
  function refreshStatus(): Promise<Reply<StatusSnapshot | null>> {
    const next = refreshing.then(refreshStatusNow, refreshStatusNow);
    refreshing = next;
    return next;
  }

  async function refreshStatusNow(): Promise<Reply<StatusSnapshot | null>> {
    if (!(await pairingItem.getValue())) {
      await recordStatus(null);
      return { ok: true, data: null };
    }
    const reply = await askStatus();
    if (!reply.ok) {
      if (reply.error.code !== 'unauthorized' && reply.error.code !== 'not_paired') await recordUnreachable();
      return reply;
    }
    const snapshot = reachableSnapshot(reply.data);
    await recordStatus(snapshot);
    return { ok: true, data: snapshot };
  }

  async function ensureStatusAlarm(): Promise<void> {
    const existing = await browser.alarms.get(STATUS_ALARM);
    if (!existing) await browser.alarms.create(STATUS_ALARM, { periodInMinutes: STATUS_POLL_MINUTES, delayInMinutes: STATUS_POLL_MINUTES });
  }

  const handlers: Handlers = {
    'serval:get-state': async () => ({ ok: true, data: await pairingState() }),

    'serval:pair': async ({ backendUrl, code, deviceName }) => {
      const normalized = normalizeBackendUrl(backendUrl);
      if (!normalized.ok) return fail(clientError(normalized.code));
      if (needsHostPermission(normalized.url)) {
        const granted = await browser.permissions.contains({ origins: [hostPermissionPattern(normalized.url)] });
        if (!granted) return fail(clientError('host_permission_denied'));
      }
      const reply = await clientFor(normalized.url).pair(code.trim(), deviceName);
      if (!reply.ok) return fail(reply.error);
      const previous = await pairingItem.getValue();
      const previousUrl = previous?.backendUrl ?? (await backendUrlItem.getValue());
      if (previousUrl !== normalized.url) await defaultApplicationItem.setValue(null);
      await pairingItem.setValue({ backendUrl: normalized.url, token: reply.data.token, device: reply.data.device, pairedAt: now().toISOString() });
      await backendUrlItem.setValue(normalized.url);
      await unpairedReasonItem.setValue(null);
      await ensureStatusAlarm();
      await refreshStatus();
      return { ok: true, data: await pairingState() };
    },

    'serval:disconnect': async () => {
      const pairing = await pairingItem.getValue();
      if (pairing) {
        // Best effort: revoke this device on the backend too, so the token is dead everywhere.
        await clientFor(pairing.backendUrl, pairing.token).revokeDevice(pairing.device.id);
      }
      await pairingItem.setValue(null);
      await unpairedReasonItem.setValue(null);
      await recordStatus(null);
      return { ok: true, data: await pairingState() };
    },

    'serval:get-status': async () => {
      const pairing = await pairingItem.getValue();
      if (!pairing) return fail(clientError('not_paired'));
      const [health, status, applications] = await Promise.all([
        clientFor(pairing.backendUrl).health(),
        askStatus(),
        withPairing((client) => client.listApplications()),
      ]);
      if (!status.ok || !applications.ok) {
        const error = !status.ok ? status.error : (applications as { ok: false; error: ServalError }).error;
        // What the poll would have recorded, without asking the backend a second time.
        if (error.code === 'backend_unreachable') await recordUnreachable();
        return fail(error);
      }
      const checkedAt = now().toISOString();
      await recordStatus(reachableSnapshot(status.data, checkedAt));
      const report: StatusReport = {
        backendUrl: pairing.backendUrl,
        version: health.ok ? health.data.version : (status.data.version ?? null),
        status: status.data,
        applications: applications.data,
        checkedAt,
      };
      return { ok: true, data: report };
    },

    'serval:list-applications': async () => {
      // The status beside the list: who the device belongs to now, so that the card offers only
      // what their role allows (and the badge is fresh). Without an answer, the person last known.
      const [reply] = await Promise.all([withPairing((client) => client.listApplications()), refreshStatus()]);
      if (!reply.ok) return reply;
      const [stored, pairing] = await Promise.all([defaultApplicationItem.getValue(), pairingItem.getValue()]);
      const defaultApplicationId = reply.data.some((application) => application.id === stored) ? stored : null;
      return { ok: true, data: { applications: reply.data, defaultApplicationId, person: pairing?.person ?? null } };
    },

    'serval:create-application': async ({ name, stripeAccount }) => {
      if (typeof name !== 'string' || name.trim() === '') {
        return fail({ code: 'validation_failed', message: 'Give the new application a name.' });
      }
      const settings = typeof stripeAccount === 'string' ? { stripeAccount } : {};
      const reply = await withPairing((client) => client.createApplication(name.trim(), settings));
      return reply.ok ? { ok: true, data: { application: reply.data } } : reply;
    },

    'serval:set-stripe-account': async ({ applicationId, stripeAccount }) => {
      const reply = await withPairing((client) => client.updateApplication(applicationId, { stripeAccount }));
      return reply.ok ? { ok: true, data: { application: reply.data } } : reply;
    },

    'serval:send-key': async ({ applicationId, apiKey, previousKeyExpiresAt }) => {
      const parsed = typeof apiKey === 'string' ? parseKey(apiKey) : null;
      if (!parsed?.ok) return fail(errorBody(parsed?.code ?? 'malformed_key', { message: parsed?.message }).error);
      const reply = await withPairing((client) => client.putStripeKey(applicationId, parsed.key, 'extension', expiryOf(previousKeyExpiresAt)));
      if (reply.ok) {
        if ((await defaultApplicationItem.getValue()) === null) await defaultApplicationItem.setValue(applicationId);
        void refreshStatus();
      }
      return reply;
    },

    'serval:rotate-key': async ({ applicationIds, apiKey, previousKeyExpiresAt }) => {
      const parsed = typeof apiKey === 'string' ? parseKey(apiKey) : null;
      if (!parsed?.ok) return fail(errorBody(parsed?.code ?? 'malformed_key', { message: parsed?.message }).error);
      const ids = Array.isArray(applicationIds) ? applicationIds.filter((id): id is string => typeof id === 'string') : [];
      if (ids.length === 0) return fail({ code: 'validation_failed', message: 'Choose at least one application to update.' });
      const reply = await withPairing((client) => client.rotateStripeKey(ids, parsed.key, 'extension', expiryOf(previousKeyExpiresAt)));
      if (reply.ok) void refreshStatus();
      return reply;
    },

    'serval:recheck': async ({ applicationId }) => {
      const reply = await withPairing((client) => client.recheckIntegration(applicationId));
      if (reply.ok) void refreshStatus();
      return reply;
    },

    'serval:set-default-application': async ({ applicationId }) => {
      await defaultApplicationItem.setValue(applicationId);
      return { ok: true, data: await pairingState() };
    },

    ...createCardHandlers(),

    'serval:open-options': async () => {
      await browser.runtime.openOptionsPage();
      return { ok: true, data: null };
    },
  };

  return {
    handlers,
    refreshStatus,
    /** On install and at browser start-up (alarms may not survive a restart): schedule the poll and refresh once. */
    async start(): Promise<void> {
      await ensureStatusAlarm();
      await refreshStatus();
    },
  };
}
