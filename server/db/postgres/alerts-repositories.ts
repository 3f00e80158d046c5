/**
 * Alert endpoints and the outbox of alert events on PostgreSQL. Part of ./repositories.ts. A claim
 * locks the due rows with FOR UPDATE SKIP LOCKED: rows another instance is claiming at that
 * moment are left to it, so each delivery goes to one sender.
 */
import { and, desc, eq, inArray, isNull, lt, lte, ne, or } from 'drizzle-orm';
import { keyExpiringUnannouncedQuery, rotationDueUnannouncedQuery } from '../queries.js';
import type { Repositories } from '../repositories.js';
import { newId } from '../../ids.js';
import type { PgDb } from './repositories.js';
import { alertDeliveries, alertEndpoints, alertEvents } from './schema.js';

export function postgresAlertsRepositories(db: PgDb): Pick<Repositories, 'alerts'> {
  return {
    alerts: {
      endpoints: {
        async create(row) {
          await db.insert(alertEndpoints).values(row);
        },
        list: () => db.select().from(alertEndpoints).orderBy(alertEndpoints.createdAt, alertEndpoints.id),
        async get(id) {
          const [row] = await db.select().from(alertEndpoints).where(eq(alertEndpoints.id, id));
          return row;
        },
        async delete(id) {
          return ((await db.delete(alertEndpoints).where(eq(alertEndpoints.id, id))).rowCount ?? 0) > 0;
        },
        async keyIdsInUse() {
          return (await db.selectDistinct({ keyId: alertEndpoints.keyId }).from(alertEndpoints)).map((r) => r.keyId);
        },
        sealedOtherThan: (keyId, limit) =>
          db
            .select({ id: alertEndpoints.id, keyId: alertEndpoints.keyId, sealedSecret: alertEndpoints.sealedSecret })
            .from(alertEndpoints)
            .where(ne(alertEndpoints.keyId, keyId))
            .limit(limit),
        async reseal(id, expected, next) {
          const result = await db
            .update(alertEndpoints)
            .set(next)
            .where(and(eq(alertEndpoints.id, id), eq(alertEndpoints.keyId, expected.keyId), eq(alertEndpoints.sealedSecret, expected.sealedSecret)));
          return (result.rowCount ?? 0) > 0;
        },
      },

      async enqueue(event) {
        const written = await db.insert(alertEvents).values(event).onConflictDoNothing().returning({ id: alertEvents.id });
        if (written.length === 0) return false;
        const receivers = (await db.select({ id: alertEndpoints.id, events: alertEndpoints.events }).from(alertEndpoints)).filter((e) =>
          (JSON.parse(e.events) as string[]).includes(event.type),
        );
        if (receivers.length > 0) {
          await db.insert(alertDeliveries).values(
            receivers.map((endpoint) => ({
              id: newId('dlv'),
              eventId: event.id,
              endpointId: endpoint.id,
              status: 'pending' as const,
              attempts: 0,
              nextAttemptAt: event.createdAt,
            })),
          );
        }
        return true;
      },

      async keyExpiringUnannounced(expiresBefore, limit) {
        const { rows } = await db.execute<{ application_id: string; connected_at: string }>(keyExpiringUnannouncedQuery(expiresBefore, limit));
        return rows.map((r) => ({ applicationId: r.application_id, connectedAt: r.connected_at }));
      },

      async rotationDueUnannounced(connectedBefore, limit) {
        const { rows } = await db.execute<{ application_id: string; connected_at: string }>(rotationDueUnannouncedQuery(connectedBefore, limit));
        return rows.map((r) => ({ applicationId: r.application_id, connectedAt: r.connected_at }));
      },

      async claim({ now, leaseUntil, limit }) {
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
          .limit(limit)
          .for('update', { skipLocked: true });
        const ids = (await db.update(alertDeliveries).set({ leaseUntil }).where(inArray(alertDeliveries.id, due)).returning({ id: alertDeliveries.id })).map(
          (r) => r.id,
        );
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
          .where(inArray(alertDeliveries.id, ids));
      },

      async settle(id, leaseUntil, outcome) {
        const result = await db
          .update(alertDeliveries)
          .set({ ...outcome, leaseUntil: null })
          .where(and(eq(alertDeliveries.id, id), eq(alertDeliveries.leaseUntil, leaseUntil)));
        return (result.rowCount ?? 0) > 0;
      },

      async release(id, leaseUntil) {
        await db
          .update(alertDeliveries)
          .set({ leaseUntil: null })
          .where(and(eq(alertDeliveries.id, id), eq(alertDeliveries.leaseUntil, leaseUntil)));
      },

      async deliveries(endpointId, limit) {
        const rows = await db
          .select({ delivery: alertDeliveries, eventType: alertEvents.type, eventCreatedAt: alertEvents.createdAt })
          .from(alertDeliveries)
          .innerJoin(alertEvents, eq(alertEvents.id, alertDeliveries.eventId))
          .where(eq(alertDeliveries.endpointId, endpointId))
          .orderBy(desc(alertEvents.createdAt), desc(alertDeliveries.id))
          .limit(limit);
        return rows.map((r) => ({ ...r.delivery, eventType: r.eventType, eventCreatedAt: r.eventCreatedAt }));
      },
    },
  };
}
