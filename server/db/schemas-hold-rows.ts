/**
 * Both dialects' tables hold the storage contract's rows (./rows.ts), column for column: a column
 * added to one schema and not to the other, or typed differently, does not compile. Types only;
 * nothing imports this file, the type-check reads it.
 */
import type * as postgres from './postgres/schema.js';
import type * as rows from './rows.js';
import type * as sqlite from './sqlite/schema.js';

type HoldsRows<Schema extends typeof sqlite | typeof postgres> = [
  rows.Same<Schema['settings']['$inferSelect'], rows.SettingRow>,
  rows.Same<Schema['applications']['$inferSelect'], rows.ApplicationRow>,
  rows.Same<Schema['stripeIntegrations']['$inferSelect'], rows.IntegrationTableRow>,
  rows.Same<Schema['people']['$inferSelect'], rows.PersonRow>,
  rows.Same<Schema['devices']['$inferSelect'], rows.DeviceRow>,
  rows.Same<Schema['sessions']['$inferSelect'], rows.SessionRow>,
  rows.Same<Schema['invites']['$inferSelect'], rows.InviteRow>,
  rows.Same<Schema['passkeys']['$inferSelect'], rows.PasskeyRow>,
  rows.Same<Schema['signInFlows']['$inferSelect'], rows.SignInFlowRow>,
  rows.Same<Schema['pairingCodes']['$inferSelect'], rows.PairingCodeRow>,
  rows.Same<Schema['pairingFailures']['$inferSelect'], rows.PairingFailureRow>,
  rows.Same<Schema['auditEvents']['$inferSelect'], rows.AuditRow>,
  rows.Same<Schema['alertEndpoints']['$inferSelect'], rows.AlertEndpointRow>,
  rows.Same<Schema['alertEvents']['$inferSelect'], rows.AlertEventRow>,
  rows.Same<Schema['alertDeliveries']['$inferSelect'], rows.AlertDeliveryRow>,
];

export const sqliteHoldsRows: HoldsRows<typeof sqlite> = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
export const postgresHoldsRows: HoldsRows<typeof postgres> = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
