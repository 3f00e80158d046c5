import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `app_k3j…`: a prefix that says what the id names, then 16 random base-36 characters. */
export function newId(prefix: 'ale' | 'app' | 'dev' | 'dlv' | 'evt' | 'per' | 'ses'): string {
  const bytes = randomBytes(16);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 36];
  return `${prefix}_${out}`;
}
