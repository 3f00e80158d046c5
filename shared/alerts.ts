/**
 * Alerts on the wire: the events, the endpoints an admin adds, their deliveries, and the payload a
 * webhook receives. zod schemas, as in ./api.ts: the server validates with them and builds its
 * OpenAPI document from them; the console takes its types from them.
 */
import { z } from 'zod';
import { IntegrationStatusSchema, KeyModeSchema, KeyTypeSchema, PersonRefSchema } from './api.js';

/** What an endpoint can receive: one event per change of state, never one per re-check. */
export const ALERT_EVENT_TYPES = [
  'integration.broken',
  'integration.recovered',
  'integration.rotation_due',
  'integration.key_expiring',
  'integration.live_connected',
  'device.paired',
] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

export const AlertEventTypeSchema = z.enum(ALERT_EVENT_TYPES);
export const AlertKindSchema = z.enum(['webhook', 'slack']);
export type AlertKind = z.infer<typeof AlertKindSchema>;

/** What each event means, for the console and for Slack messages. */
export const ALERT_EVENT_LABELS: Record<AlertEventType, string> = {
  'integration.broken': 'A stored key stopped working',
  'integration.recovered': 'A broken key works again',
  'integration.rotation_due': 'A key is due for rotation',
  'integration.key_expiring': 'A key stops working within 24 h',
  'integration.live_connected': 'A live key was connected',
  'device.paired': 'A browser was paired',
};

export const AlertEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    kind: AlertKindSchema,
    events: z.array(AlertEventTypeSchema),
    createdAt: z.string(),
  })
  .meta({ id: 'AlertEndpoint' });

export const CreateAlertEndpointSchema = z.object({
  url: z.url({ protocol: /^https?$/, message: 'url must be an http(s) URL' }).max(2000),
  kind: AlertKindSchema,
  events: z
    .array(AlertEventTypeSchema)
    .min(1, 'events must name at least one event')
    .max(ALERT_EVENT_TYPES.length * 2),
});

/** The signing secret is in this answer only: it is never shown again. */
export const AlertEndpointCreatedSchema = z.object({ endpoint: AlertEndpointSchema, secret: z.string().meta({ example: 'svlsig_…' }) });
export const AlertEndpointListSchema = z.object({ endpoints: z.array(AlertEndpointSchema) });

export const AlertDeliverySchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    event: z.string(),
    createdAt: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastAttemptAt: z.string().nullable(),
    /** When a pending delivery is tried next. */
    nextAttemptAt: z.string().nullable(),
    /** The receiver's last answer: its HTTP status, or what went wrong when none came. */
    lastAnswer: z.object({ status: z.number().int().nullable(), error: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'AlertDelivery' });
export const AlertDeliveryListSchema = z.object({ deliveries: z.array(AlertDeliverySchema) });

/** What a webhook endpoint receives (signed: Serval-Signature). Masked keys only, never a key. */
export const AlertPayloadSchema = z
  .object({
    id: z.string(),
    type: AlertEventTypeSchema,
    createdAt: z.string(),
    application: z.object({ id: z.string(), name: z.string() }).nullable(),
    integration: z
      .object({
        maskedKey: z.string(),
        keyType: KeyTypeSchema,
        mode: KeyModeSchema,
        accountId: z.string().nullable(),
        /** The account's display name in Stripe (which sandbox). */
        accountName: z.string().nullable(),
        status: IntegrationStatusSchema,
        /** When the key stops working at Stripe (integration.key_expiring), or null. */
        keyExpiresAt: z.string().nullable(),
      })
      .nullable(),
    person: PersonRefSchema.nullable(),
  })
  .meta({ id: 'AlertPayload' });

export type AlertEndpoint = z.infer<typeof AlertEndpointSchema>;
export type AlertDelivery = z.infer<typeof AlertDeliverySchema>;
export type AlertPayload = z.infer<typeof AlertPayloadSchema>;
export type AlertEndpointCreated = z.infer<typeof AlertEndpointCreatedSchema>;
