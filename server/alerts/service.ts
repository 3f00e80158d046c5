/**
 * Alerts: the endpoints an admin adds, and the events written to the outbox. An event is written
 * through the transaction of the change it tells of (`onAudited`, called for every audited change),
 * so it commits with the change or not at all; ./sender.ts delivers it. Events that no change
 * causes — a key growing old enough to rotate, a rotated key's Expiration coming near — are found
 * by looking (`scanRotationDue`, `scanKeyExpiring`) and written once.
 */
import type { AlertDelivery, AlertEndpoint, AlertEndpointCreated, AlertEventType } from '../../shared/alerts.js';
import { ApiError } from '../api-error.js';
import type { AuditEntry, AuditRecorder } from '../audit.js';
import type { Actor } from '../auth/principal.js';
import type { Keyring } from '../crypto/keyring.js';
import { keyExpiringKey, rotationDueKey } from '../db/queries.js';
import type { AlertDeliveryRow, AlertEndpointRow, Repositories } from '../db/repositories.js';
import { newId } from '../ids.js';
import { EXPIRING_SOON_MS } from '../integrations/key-expiry.js';
import type { Logger } from '../logger.js';
import { AlertUrlError, judgeUrl } from './address.js';
import { resolveTarget, type Resolver } from './deliver.js';
import { alertPayload, alertsForChange } from './payload.js';
import { newSigningSecret } from './signature.js';

/** The signing secret is bound to its endpoint: a sealed secret copied to another row won't open. */
export const secretAssociatedData = (endpointId: string) => `alert-endpoint:${endpointId}`;

export type AlertService = ReturnType<typeof createAlertService>;

type Deps = {
  repos: Repositories;
  keyring: Keyring;
  audit: AuditRecorder;
  now: () => Date;
  logger: Logger;
  resolver: Resolver;
  /** SERVAL_ALERTS_ALLOW_PRIVATE */
  allowPrivate: boolean;
  /** SERVAL_KEY_MAX_AGE_DAYS in ms; 0: keys never fall due. */
  keyMaxAgeMs: number;
  /** Told after an event is written, so that a sender can look sooner than its next tick. */
  onEnqueued?: () => void;
};

function toEndpoint(row: AlertEndpointRow): AlertEndpoint {
  return { id: row.id, url: row.url, kind: row.kind, events: JSON.parse(row.events) as AlertEndpoint['events'], createdAt: row.createdAt };
}

function toDelivery(row: AlertDeliveryRow & { eventType: string; eventCreatedAt: string }): AlertDelivery {
  return {
    id: row.id,
    eventId: row.eventId,
    event: row.eventType,
    createdAt: row.eventCreatedAt,
    status: row.status,
    attempts: row.attempts,
    lastAttemptAt: row.lastAttemptAt,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
    lastAnswer: row.lastAttemptAt ? { status: row.lastStatus, error: row.lastError } : null,
  };
}

export function createAlertService({ repos, keyring, audit, now, logger, resolver, allowPrivate, keyMaxAgeMs, onEnqueued = () => {} }: Deps) {
  /** Writes one event through `tx`: its payload from the rows as they are in that transaction. */
  async function enqueue(
    tx: Repositories,
    type: AlertEventType,
    about: { applicationId: string | null; personId: string | null },
    dedupeKey: string | null = null,
  ): Promise<boolean> {
    const id = newId('evt');
    const createdAt = now().toISOString();
    const application = about.applicationId ? await tx.applications.get(about.applicationId) : undefined;
    const integration = about.applicationId ? await tx.integrations.get(about.applicationId) : undefined;
    const person = about.personId ? await tx.people.get(about.personId) : undefined;
    const payload = JSON.stringify(alertPayload({ id, type, createdAt, application, integration, person }));
    return tx.alerts.enqueue({ id, type, createdAt, payload, dedupeKey });
  }

  return {
    async list(): Promise<AlertEndpoint[]> {
      return (await repos.alerts.endpoints.list()).map(toEndpoint);
    },

    /** Judges the URL (and where its host resolves) first: a refused endpoint is never stored. */
    async create(input: { url: string; kind: AlertEndpoint['kind']; events: AlertEventType[] }, actor: Actor | null): Promise<AlertEndpointCreated> {
      try {
        await resolveTarget(judgeUrl(input.url), resolver, allowPrivate);
      } catch (error) {
        if (error instanceof AlertUrlError) throw new ApiError(error.code, { message: error.message });
        throw error;
      }
      const id = newId('ale');
      const secret = newSigningSecret();
      const sealed = keyring.current.seal(secret, secretAssociatedData(id));
      const row: AlertEndpointRow = {
        id,
        url: input.url,
        kind: input.kind,
        events: JSON.stringify([...new Set(input.events)]),
        sealedSecret: sealed.sealed,
        keyId: sealed.keyId,
        createdAt: now().toISOString(),
      };
      await repos.transaction(async (tx) => {
        await tx.alerts.endpoints.create(row);
        await audit.record(tx, {
          action: 'alert_endpoint.created',
          actor,
          applicationId: null,
          detail: { endpointId: id, kind: row.kind, events: input.events },
        });
      });
      logger.info({ endpointId: id, kind: row.kind }, 'alert endpoint added');
      return { endpoint: toEndpoint(row), secret };
    },

    async remove(id: string, actor: Actor | null): Promise<void> {
      await repos.transaction(async (tx) => {
        if (!(await tx.alerts.endpoints.delete(id))) throw new ApiError('alert_endpoint_not_found');
        await audit.record(tx, { action: 'alert_endpoint.deleted', actor, applicationId: null, detail: { endpointId: id } });
      });
    },

    async deliveries(id: string, limit = 50): Promise<AlertDelivery[]> {
      if (!(await repos.alerts.endpoints.get(id))) throw new ApiError('alert_endpoint_not_found');
      return (await repos.alerts.deliveries(id, limit)).map(toDelivery);
    },

    /** Every audited change passes here, inside its transaction: the alerts it makes are written with it. */
    async onAudited(tx: Repositories, entry: AuditEntry): Promise<void> {
      const types = alertsForChange({ action: entry.action, detail: entry.detail ?? {} });
      for (const type of types) await enqueue(tx, type, { applicationId: entry.applicationId, personId: entry.actor?.personId ?? null });
      if (types.length) onEnqueued();
    },

    /** Keys that have fallen due for rotation since the last look: one event each, once, whichever instance looks first. */
    async scanRotationDue(): Promise<number> {
      if (keyMaxAgeMs <= 0) return 0;
      const due = await repos.alerts.rotationDueUnannounced(new Date(now().getTime() - keyMaxAgeMs).toISOString(), 100);
      let written = 0;
      for (const { applicationId, connectedAt } of due) {
        const wrote = await repos.transaction((tx) =>
          enqueue(tx, 'integration.rotation_due', { applicationId, personId: null }, rotationDueKey(applicationId, connectedAt)),
        );
        if (wrote) written++;
      }
      if (written) onEnqueued();
      return written;
    },

    /**
     * Keys that stop working at Stripe within 24 hours (rotated there with an Expiration) since the
     * last look: one event each, once per stored key, whichever instance looks first.
     */
    async scanKeyExpiring(): Promise<number> {
      const soon = await repos.alerts.keyExpiringUnannounced(new Date(now().getTime() + EXPIRING_SOON_MS).toISOString(), 100);
      let written = 0;
      for (const { applicationId, connectedAt } of soon) {
        const wrote = await repos.transaction((tx) =>
          enqueue(tx, 'integration.key_expiring', { applicationId, personId: null }, keyExpiringKey(applicationId, connectedAt)),
        );
        if (wrote) written++;
      }
      if (written) onEnqueued();
      return written;
    },

    /** The signing secret of an endpoint, for the sender. */
    openSecret(endpoint: Pick<AlertEndpointRow, 'id' | 'keyId' | 'sealedSecret'>): string {
      return keyring.open({ keyId: endpoint.keyId, sealed: endpoint.sealedSecret }, secretAssociatedData(endpoint.id));
    },

    /** Master-key rotation: every signing secret not sealed under the current master key, re-sealed under it. */
    async resealAll(): Promise<number> {
      const sealer = keyring.current;
      let resealed = 0;
      for (let pass = 0; pass < 1000; pass++) {
        const batch = await repos.alerts.endpoints.sealedOtherThan(sealer.keyId, 100);
        if (batch.length === 0) break;
        for (const row of batch) {
          const secret = keyring.open({ keyId: row.keyId, sealed: row.sealedSecret }, secretAssociatedData(row.id));
          const next = sealer.seal(secret, secretAssociatedData(row.id));
          if (await repos.alerts.endpoints.reseal(row.id, row, { keyId: next.keyId, sealedSecret: next.sealed })) resealed++;
        }
      }
      return resealed;
    },

    keyIdsInUse(): Promise<string[]> {
      return repos.alerts.endpoints.keyIdsInUse();
    },
  };
}

/** The audit recorder that also writes the alerts each change makes, in the same transaction. */
export function alertingAudit(base: AuditRecorder, alerts: Pick<AlertService, 'onAudited'>): AuditRecorder {
  return {
    async record(tx, entry) {
      await base.record(tx, entry);
      await alerts.onAudited(tx, entry);
    },
    list: (limit) => base.list(limit),
  };
}
