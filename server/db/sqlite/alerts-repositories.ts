/**
 * Alert endpoints and the outbox of alert events on SQLite. Part of ./repositories.ts, which runs
 * each method as one synchronous unit (`op`): BEGIN IMMEDIATE's write lock makes a claim atomic
 * across processes on the same file.
 */
import { and, desc, eq, inArray, isNull, lt, lte, ne, or } from 'drizzle-orm';
import { keyExpiringUnannouncedQuery, rotationDueUnannouncedQuery } from '../queries.js';
import type { AlertEndpointRow, AlertEventRow, ClaimedDelivery, DeliveryOutcome, Repositories } from '../repositories.js';
import { newId } from '../../ids.js';
import type { Op } from './people-repositories.js';
import type { SqliteDb } from './repositories.js';
import { alertDeliveries, alertEndpoints, alertEvents } from './schema.js';

export function sqliteAlertsRepositories(db: SqliteDb, op: Op): Pick<Repositories, 'alerts'> {
  return {
    alerts: {
      endpoints: {
        create: op((row: AlertEndpointRow) => {
          db.insert(alertEndpoints).values(row).run();
        }),
        list: op(() => db.select().from(alertEndpoints).orderBy(alertEndpoints.createdAt, alertEndpoints.id).all()),
        get: op((id: string) => db.select().from(alertEndpoints).where(eq(alertEndpoints.id, id)).get()),
        delete: op((id: string) => db.delete(alertEndpoints).where(eq(alertEndpoints.id, id)).run().changes > 0),
        keyIdsInUse: op(() =>
          db
            .selectDistinct({ keyId: alertEndpoints.keyId })
            .from(alertEndpoints)
            .all()
            .map((r) => r.keyId),
        ),
        sealedOtherThan: op((keyId: string, limit: number) =>
          db
            .select({ id: alertEndpoints.id, keyId: alertEndpoints.keyId, sealedSecret: alertEndpoints.sealedSecret })
            .from(alertEndpoints)
            .where(ne(alertEndpoints.keyId, keyId))
            .limit(limit)
            .all(),
        ),
        reseal: op(
          (id: string, expected: { keyId: string; sealedSecret: string }, next: { keyId: string; sealedSecret: string }) =>
            db
              .update(alertEndpoints)
              .set(next)
              .where(and(eq(alertEndpoints.id, id), eq(alertEndpoints.keyId, expected.keyId), eq(alertEndpoints.sealedSecret, expected.sealedSecret)))
              .run().changes > 0,
        ),
      },

      enqueue: op((event: AlertEventRow) => {
        const written = db.insert(alertEvents).values(event).onConflictDoNothing().returning({ id: alertEvents.id }).all();
        if (written.length === 0) return false;
        const receivers = db
          .select({ id: alertEndpoints.id, events: alertEndpoints.events })
          .from(alertEndpoints)
          .all()
          .filter((e) => (JSON.parse(e.events) as string[]).includes(event.type));
        for (const endpoint of receivers) {
          db.insert(alertDeliveries)
            .values({ id: newId('dlv'), eventId: event.id, endpointId: endpoint.id, status: 'pending', attempts: 0, nextAttemptAt: event.createdAt })
            .run();
        }
        return true;
      }),

      keyExpiringUnannounced: op((expiresBefore: string, limit: number) =>
        db.all<{ application_id: string; connected_at: string }>(keyExpiringUnannouncedQuery(expiresBefore, limit)).map((r) => ({
          applicationId: r.application_id,
          connectedAt: r.connected_at,
        })),
      ),

      rotationDueUnannounced: op((connectedBefore: string, limit: number) =>
        db.all<{ application_id: string; connected_at: string }>(rotationDueUnannouncedQuery(connectedBefore, limit)).map((r) => ({
          applicationId: r.application_id,
          connectedAt: r.connected_at,
        })),
      ),

      claim: op(({ now, leaseUntil, limit }: { now: string; leaseUntil: string; limit: number }): ClaimedDelivery[] => {
        const due = db
          .select({ id: alertDeliveries.id })
          .from(alertDeliveries)
          .where(
            and(
              eq(alertDeliveries.status, 'pending'),
              lte(alertDeliveries.nextAttemptAt, now),
              or(isNull(alertDeliveries.leaseUntil), lt(alertDeliveries.leaseUntil, now)),
            ),
          )
          .orderBy(alertDeliveries.nextAttemptAt)
          .limit(limit);
        const ids = db
          .update(alertDeliveries)
          .set({ leaseUntil })
          .where(inArray(alertDeliveries.id, due))
          .returning({ id: alertDeliveries.id })
          .all()
          .map((r) => r.id);
        if (ids.length === 0) return [];
        return db
          .select({
            id: alertDeliveries.id,
            attempts: alertDeliveries.attempts,
            leaseUntil: alertDeliveries.leaseUntil,
            event: { id: alertEvents.id, type: alertEvents.type, createdAt: alertEvents.createdAt, payload: alertEvents.payload },
            endpoint: {
              id: alertEndpoints.id,
              url: alertEndpoints.url,
              kind: alertEndpoints.kind,
              sealedSecret: alertEndpoints.sealedSecret,
              keyId: alertEndpoints.keyId,
            },
          })
          .from(alertDeliveries)
          .innerJoin(alertEvents, eq(alertEvents.id, alertDeliveries.eventId))
          .innerJoin(alertEndpoints, eq(alertEndpoints.id, alertDeliveries.endpointId))
          .where(inArray(alertDeliveries.id, ids))
          .all();
      }),

      settle: op(
        (id: string, leaseUntil: string, outcome: DeliveryOutcome) =>
          db
            .update(alertDeliveries)
            .set({ ...outcome, leaseUntil: null })
            .where(and(eq(alertDeliveries.id, id), eq(alertDeliveries.leaseUntil, leaseUntil)))
            .run().changes > 0,
      ),

      release: op((id: string, leaseUntil: string) => {
        db.update(alertDeliveries)
          .set({ leaseUntil: null })
          .where(and(eq(alertDeliveries.id, id), eq(alertDeliveries.leaseUntil, leaseUntil)))
          .run();
      }),

      deliveries: op((endpointId: string, limit: number) =>
        db
          .select({ delivery: alertDeliveries, eventType: alertEvents.type, eventCreatedAt: alertEvents.createdAt })
          .from(alertDeliveries)
          .innerJoin(alertEvents, eq(alertEvents.id, alertDeliveries.eventId))
          .where(eq(alertDeliveries.endpointId, endpointId))
          .orderBy(desc(alertEvents.createdAt), desc(alertDeliveries.id))
          .limit(limit)
          .all()
          .map((r) => ({ ...r.delivery, eventType: r.eventType, eventCreatedAt: r.eventCreatedAt })),
      ),
    },
  };
}
