/**
 * Pairing codes and device tokens: generation, normalisation, hashing. Pure apart from randomness.
 * A code has only ~10^12 values, so it is stored under a keyed digest (Sealer.pairingCodeDigest),
 * never a plain hash that could be searched offline; a token has 256 random bits, and its SHA-256
 * is enough.
 */
import { hash, randomBytes, randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: codes are read off a terminal and typed by hand. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 8;
export const CODE_TTL_MS = 10 * 60_000;

/** `ABCD-EFGH` */
export function generatePairingCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** Any case, an optional hyphen, spaces around: `abcd-efgh`, `ABCDEFGH`, ` abcd efgh `. */
export function normalizePairingCode(input: string): string | null {
  const compact = input.trim().toUpperCase().replace(/[\s-]/g, '');
  return compact.length === CODE_LENGTH && [...compact].every((c) => CODE_ALPHABET.includes(c)) ? compact : null;
}

export function generateDeviceToken(): string {
  return `svl_${randomBytes(32).toString('base64url')}`;
}

export function hashDeviceToken(token: string): string {
  return sha256(token);
}

/** One-shot hashing (no Hash object per call): it runs on every authenticated request. */
function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * When a code stops working, as the local wall-clock time people read beside it ("14:05").
 * Not toLocaleTimeString: its first call loads ICU's locale data, ~40 ms of start-up before the
 * server answers.
 */
export function clockTime(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}
