/**
 * Sealing Stripe keys at rest: AES-256-GCM with a fresh 96-bit nonce per seal and the row's
 * identity as additional authenticated data, so a sealed key copied to another row won't open.
 * Every sealed value records the id of the master key that sealed it, so the master key can rotate.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export type Sealed = { keyId: string; sealed: string };

export class SealError extends Error {}

export class Sealer {
  readonly keyId: string;
  private readonly encryptionKey: Buffer;
  private readonly fingerprintKey: Buffer;
  private readonly pairingCodeKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new SealError('The master key must be 32 bytes.');
    this.encryptionKey = derive(masterKey, 'serval/seal/v1');
    this.fingerprintKey = derive(masterKey, 'serval/fingerprint/v1');
    this.pairingCodeKey = derive(masterKey, 'serval/pairing-code/v1');
    this.keyId = createHmac('sha256', masterKey).update('serval/key-id/v1').digest('hex').slice(0, 16);
  }

  seal(plaintext: string, associatedData: string): Sealed {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString('base64');
    return { keyId: this.keyId, sealed };
  }

  open({ keyId, sealed }: Sealed, associatedData: string): string {
    if (keyId !== this.keyId) throw new SealError(`Sealed with master key ${keyId}, but the current master key is ${this.keyId}.`);
    const bytes = Buffer.from(sealed, 'base64');
    if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new SealError('Sealed value is truncated.');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealError('Sealed value failed authentication (wrong master key, or tampered data).');
    }
  }

  /** Identifies a key without revealing it: equal keys, equal fingerprints, under one master key. */
  fingerprint(plaintext: string): string {
    return createHmac('sha256', this.fingerprintKey).update(plaintext, 'utf8').digest('hex');
  }

  /**
   * What the database keeps of a pairing code: an HMAC under a key it doesn't hold, so reading the
   * database (or a backup) doesn't let anyone search the ~10^12 codes offline.
   */
  pairingCodeDigest(normalizedCode: string): string {
    return createHmac('sha256', this.pairingCodeKey).update(normalizedCode, 'utf8').digest('hex');
  }
}

function derive(masterKey: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
}
