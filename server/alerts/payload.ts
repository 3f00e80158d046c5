/**
 * What an alert says: the webhook payload (built from stored rows: a masked key, never a key) and
 * which alerts an audited change makes. Pure.
 */
import type { AlertEventType, AlertPayload } from '../../shared/alerts.js';
import type { ApplicationRow, IntegrationRow, PersonRow } from '../db/repositories.js';

type IntegrationStatus = IntegrationRow['status'];

/** A key that Stripe refuses, or that lacks a permission it needs. */
const broken = (status: IntegrationStatus | undefined) => status === 'invalid' || status === 'missing_permissions';

/** An audited change, as server/audit.ts records it: its action and its detail. */
export type AuditedChange = { action: string; detail: Record<string, unknown> };

/**
 * The alerts an audited change makes: one per change of state. A key that goes from working to
 * broken (a check, a re-check, or Stripe refusing a workflow) is `integration.broken`; back again,
 * `integration.recovered` — whether it works again or a working key replaced it. A re-check that
 * finds what the last one found changes nothing, audits nothing, and alerts nothing.
 */
export function alertsForChange({ action, detail }: AuditedChange): AlertEventType[] {
  const status = detail.status as IntegrationStatus | undefined;
  switch (action) {
    case 'device.paired':
      return ['device.paired'];
    case 'integration.status_changed': {
      const from = detail.from as IntegrationStatus | undefined;
      const to = detail.to as IntegrationStatus | undefined;
      if (!broken(from) && broken(to)) return ['integration.broken'];
      if (broken(from) && to !== undefined && !broken(to)) return ['integration.recovered'];
      return [];
    }
    case 'integration.connected':
    case 'integration.replaced': {
      const types: AlertEventType[] = [];
      const previous = detail.previousStatus as IntegrationStatus | undefined;
      if (action === 'integration.replaced' && previous !== undefined) {
        if (broken(previous) && !broken(status)) types.push('integration.recovered');
        if (!broken(previous) && broken(status)) types.push('integration.broken');
      }
      if (detail.mode === 'live') types.push('integration.live_connected');
      return types;
    }
    default:
      return [];
  }
}

export function alertPayload(input: {
  id: string;
  type: AlertEventType;
  createdAt: string;
  application: Pick<ApplicationRow, 'id' | 'name'> | undefined;
  integration: Pick<IntegrationRow, 'maskedKey' | 'keyType' | 'mode' | 'accountId' | 'accountName' | 'status' | 'keyExpiresAt'> | undefined;
  person: Pick<PersonRow, 'id' | 'name'> | undefined;
}): AlertPayload {
  const { application, integration, person } = input;
  return {
    id: input.id,
    type: input.type,
    createdAt: input.createdAt,
    application: application ? { id: application.id, name: application.name } : null,
    integration: integration
      ? {
          maskedKey: integration.maskedKey,
          keyType: integration.keyType,
          mode: integration.mode,
          accountId: integration.accountId,
          accountName: integration.accountName,
          status: integration.status,
          keyExpiresAt: integration.keyExpiresAt,
        }
      : null,
    person: person ? { id: person.id, name: person.name } : null,
  };
}
