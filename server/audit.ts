/** The audit trail: who changed what, when. Masked keys only — never a key. */
import type { AuditEvent } from '../shared/api.js';
import type { AuditRow, Repositories } from './db/repositories.js';
import { newId } from './ids.js';

export type AuditAction =
  | 'device.paired'
  | 'device.revoked'
  | 'application.created'
  | 'application.renamed'
  | 'application.deleted'
  | 'integration.connected'
  | 'integration.replaced'
  | 'integration.removed'
  | 'integration.status_changed'
  | 'integration.permissions_changed';

export type AuditRecorder = {
  record(event: { action: AuditAction; deviceId: string | null; applicationId: string | null; detail?: Record<string, unknown> }): void;
  list(limit: number): AuditEvent[];
};

export function createAuditRecorder(repos: Repositories, now: () => Date): AuditRecorder {
  return {
    record({ action, deviceId, applicationId, detail = {} }) {
      repos.audit.add({ id: newId('evt'), at: now().toISOString(), action, deviceId, applicationId, detail: JSON.stringify(detail) });
    },
    list(limit) {
      return repos.audit.list(limit).map(toAuditEvent);
    },
  };
}

function toAuditEvent(row: AuditRow): AuditEvent {
  return { ...row, detail: JSON.parse(row.detail) as Record<string, unknown> };
}
