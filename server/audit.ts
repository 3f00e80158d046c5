/** The audit trail: who changed what, when. Masked keys only — never a key, token or invite. */
import type { AuditEvent } from '../shared/api.js';
import type { Actor } from './auth/principal.js';
import type { AuditRow, Repositories } from './db/repositories.js';
import { newId } from './ids.js';

export type AuditAction =
  | 'device.paired'
  | 'device.revoked'
  | 'application.created'
  | 'application.renamed'
  | 'application.environment_changed'
  | 'application.stripe_account_changed'
  | 'application.deleted'
  | 'integration.connected'
  | 'integration.replaced'
  | 'integration.removed'
  | 'integration.status_changed'
  | 'integration.permissions_changed'
  | 'integration.key_expiry_set'
  | 'person.created'
  | 'person.updated'
  | 'invite.created'
  | 'session.started'
  | 'session.revoked'
  | 'passkey.added'
  | 'alert_endpoint.created'
  | 'alert_endpoint.deleted';

/** `actor`: who did it (actorOf(principal)); null for the server itself (a scheduled re-check) or its shell (npm run invite). */
export type AuditEntry = { action: AuditAction; actor: Actor | null; applicationId: string | null; detail?: Record<string, unknown> };

export type AuditRecorder = {
  /** Writes the event through `tx`, the transaction of the change it describes: it commits (or not) with it. */
  record(tx: Repositories, event: AuditEntry): Promise<void>;
  list(limit: number): Promise<AuditEvent[]>;
};

export function createAuditRecorder(repos: Repositories, now: () => Date): AuditRecorder {
  return {
    async record(tx, { action, actor, applicationId, detail = {} }) {
      await tx.audit.add({
        id: newId('evt'),
        at: now().toISOString(),
        action,
        personId: actor?.personId ?? null,
        deviceId: actor?.deviceId ?? null,
        applicationId,
        detail: JSON.stringify(detail),
      });
    },
    async list(limit) {
      return (await repos.audit.list(limit)).map(toAuditEvent);
    },
  };
}

/** `seq` orders the log; it is not part of the event. The person is named by their current name. */
function toAuditEvent({ seq: _seq, personId, personName, ...row }: AuditRow & { personName: string | null }): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    action: row.action,
    person: personId === null ? null : { id: personId, name: personName ?? '' },
    deviceId: row.deviceId,
    applicationId: row.applicationId,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  };
}
