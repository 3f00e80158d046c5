/** The audit trail: who changed what, when. Masked keys only — never a key. */
import type { AuditEvent } from '../shared/api.js';
import type { AuditRow, Repositories } from './db/repositories.js';
import { newId } from './ids.js';

export type AuditAction =
  | 'device.paired'
  | 'device.revoked'
  | 'application.created'
  | 'application.renamed'
  | 'application.environment_changed'
  | 'application.deleted'
  | 'integration.connected'
  | 'integration.replaced'
  | 'integration.removed'
  | 'integration.status_changed'
  | 'integration.permissions_changed';

export type AuditEntry = { action: AuditAction; deviceId: string | null; applicationId: string | null; detail?: Record<string, unknown> };

export type AuditRecorder = {
  /** Writes the event through `tx`, the transaction of the change it describes: it commits (or not) with it. */
  record(tx: Repositories, event: AuditEntry): Promise<void>;
  list(limit: number): Promise<AuditEvent[]>;
};

export function createAuditRecorder(repos: Repositories, now: () => Date): AuditRecorder {
  return {
    async record(tx, { action, deviceId, applicationId, detail = {} }) {
      await tx.audit.add({ id: newId('evt'), at: now().toISOString(), action, deviceId, applicationId, detail: JSON.stringify(detail) });
    },
    async list(limit) {
      return (await repos.audit.list(limit)).map(toAuditEvent);
    },
  };
}

/** `seq` orders the log; it is not part of the event. */
function toAuditEvent({ seq: _seq, ...row }: AuditRow): AuditEvent {
  return { ...row, detail: JSON.parse(row.detail) as Record<string, unknown> };
}
