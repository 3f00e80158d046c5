/**
 * The `Serval-Signature` header, made as Stripe signs its webhooks: `t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<body>">` under the endpoint's secret. The timestamp is signed with the body,
 * so a receiver that checks it against its clock refuses a replayed request. Pure.
 *
 * Modelled on Stripe's scheme (the `Stripe-Signature` header: t=…,v1=…, HMAC-SHA256 of the
 * timestamp, a dot and the raw body; a tolerance of 300 s by default), as documented at
 * https://docs.stripe.com/webhooks#verify-manually.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Serval-Signature';

/** A new endpoint's signing secret: 256 random bits. */
export function newSigningSecret(): string {
  return `svlsig_${randomBytes(32).toString('base64url')}`;
}

export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The header's value for a body sent at `at`. */
export function signatureHeader(secret: string, at: Date, body: string): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${signatureOf(secret, t, body)}`;
}

/**
 * What a receiver does (the README shows the same in a few lines): the header's timestamp within
 * `toleranceSeconds` of `now`, and one of its v1 signatures equal, in constant time, to the body's.
 */
export function verifySignature(secret: string, header: string, body: string, now: Date, toleranceSeconds = 300): boolean {
  const parts = header.split(',').map((p) => p.split('=', 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureOf(secret, t, body), 'hex');
  return parts.some(([k, v]) => k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/.test(v) && timingSafeEqual(Buffer.from(v, 'hex'), expected));
}
