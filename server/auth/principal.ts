/**
 * Who is asking: the person, and the credential they came with — a device token (the extension,
 * `Authorization: Bearer svl_…`) or a console session (cookie + X-Serval-Session header). The
 * authenticate middleware sets it for every API route but the public ones.
 */
import type { DeviceRow, PersonRow, SessionRow } from '../db/repositories.js';

export type Principal =
  | { via: 'device'; person: PersonRow; device: DeviceRow; session: null }
  | { via: 'session'; person: PersonRow; device: null; session: SessionRow };

/** Who an audit event names: the person, and the device when a device made the change. */
export type Actor = { personId: string; deviceId: string | null };

export function actorOf(principal: Principal): Actor {
  return { personId: principal.person.id, deviceId: principal.device?.id ?? null };
}
