/**
 * The pure parts of passkey sign-in: the relying party a public origin makes, what a sign-in
 * flow row holds between a ceremony's two requests, and a verified credential as a row.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { PasskeyRow } from '../db/repositories.js';

/** A ceremony has this long between its options and its answer. */
export const FLOW_TTL_MS = 5 * 60_000;
export const RP_NAME = 'Serval';
/**
 * EdDSA, ES256, RS256: what authenticators make. Named, not left to the library's default, which
 * adds ML-DSA-44 where the runtime has it — experimental in Node 24, with a warning on stderr.
 */
export const ALGORITHMS = [-8, -7, -257];

/** The relying party: its id is the host name of the console's public origin (an IP address cannot be one). */
export function relyingParty(publicOrigin: string): { origin: string; rpID: string } {
  return { origin: publicOrigin, rpID: new URL(publicOrigin).hostname };
}

/** A flow's handle: only the browser holds it; the row is found by its SHA-256. */
export function newFlowHandle(): string {
  return randomBytes(32).toString('base64url');
}

export function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const RegisterFlowData = z.object({ challenge: z.string(), invite: z.string(), personId: z.string() });
const SignInFlowData = z.object({ challenge: z.string() });
export type RegisterFlowData = z.infer<typeof RegisterFlowData>;
export type SignInFlowData = z.infer<typeof SignInFlowData>;

export function parseRegisterFlow(data: string): RegisterFlowData {
  return RegisterFlowData.parse(JSON.parse(data));
}

export function parseSignInFlow(data: string): SignInFlowData {
  return SignInFlowData.parse(JSON.parse(data));
}

/** The user handle a credential carries: the person's id, as the authenticator returns it (base64url). */
export function userHandleOf(personId: string): string {
  return Buffer.from(personId, 'utf8').toString('base64url');
}

/** A verified registration's credential, as stored. */
export function passkeyRow(
  credential: { id: string; publicKey: Uint8Array; counter: number; transports?: string[] },
  personId: string,
  at: string,
): PasskeyRow {
  return {
    id: credential.id,
    personId,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: JSON.stringify(credential.transports ?? []),
    createdAt: at,
    lastUsedAt: null,
  };
}

/** A stored passkey as the verifier wants it. */
export function credentialOf(row: PasskeyRow): { id: string; publicKey: Uint8Array<ArrayBuffer>; counter: number; transports: string[] } {
  return { id: row.id, publicKey: new Uint8Array(Buffer.from(row.publicKey, 'base64url')), counter: row.counter, transports: transportsOf(row) };
}

export function transportsOf(row: PasskeyRow): string[] {
  const parsed: unknown = JSON.parse(row.transports);
  return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string') : [];
}
