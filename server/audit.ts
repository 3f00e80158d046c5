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
  /** Writes the event through `tx` when given, so that it commits (or not) with the change it describes. */
  record(event: AuditEntry, tx?: Repositories): Promise<void>;
  list(limit: number): Promise<AuditEvent[]>;
};

export function createAuditRecorder(repos: Repositories, now: () => Date): AuditRecorder {
  return {
    async record({ action, deviceId, applicationId, detail = {} }, tx = repos) {
      await tx.audit.add({ id: newId('evt'), at: now().toISOString(), action, deviceId, applicationId, detail: JSON.stringify(detail) });
    },
    async list(limit) {
      return (await repos.audit.list(limit)).map(toAuditEvent);
    },
  };
}

function toAuditEvent(row: AuditRow): AuditEvent {
  return { ...row, detail: JSON.parse(row.detail) as Record<string, unknown> };
}
