/**
 * The master keys a process holds: the first seals, every one opens (each sealed row records the
 * id of the key that sealed it). Keys come from SERVAL_MASTER_KEY, or from master.key — which
 * `npm run rotate-master-key` may rewrite while the server runs: a keyring on the file re-reads it
 * when it meets a key id it doesn't hold, and before it seals anything new.
 */
import fs from 'node:fs';
import { readMasterKeyFile } from './master-key.js';
import { SealError, Sealer, type Sealed } from './sealing.js';

export type KeySource = { kind: 'env'; keys: Buffer[] } | { kind: 'file'; file: string };

export class Keyring {
  private sealers: Sealer[] = [];
  private byId = new Map<string, Sealer>();
  private stamp = '';

  constructor(readonly source: KeySource) {
    this.load(source.kind === 'env' ? source.keys : readMasterKeyFile(source.file));
  }

  /** Where the keys come from, for messages. */
  get describe(): string {
    return this.source.kind === 'env' ? 'SERVAL_MASTER_KEY' : this.source.file;
  }

  /** The key that seals. */
  get current(): Sealer {
    this.refresh();
    return this.sealers[0];
  }

  get ids(): string[] {
    return this.sealers.map((s) => s.keyId);
  }

  /** The sealer for a key id, re-reading master.key once if it isn't held. */
  find(keyId: string): Sealer | undefined {
    return this.byId.get(keyId) ?? (this.refresh(true) ? this.byId.get(keyId) : undefined);
  }

  open(sealed: Sealed, associatedData: string): string {
    const sealer = this.find(sealed.keyId);
    if (!sealer)
      throw new SealError(`Sealed with master key ${sealed.keyId}, which is not among the keys held (${this.ids.join(', ')}) from ${this.describe}.`);
    return sealer.open(sealed, associatedData);
  }

  /** The key's fingerprint under every key held: a row fingerprinted by any of them matches one. */
  fingerprints(plaintext: string): string[] {
    return this.sealers.map((s) => s.fingerprint(plaintext));
  }

  /** A pairing code's digest under every key held (codes issued before a rotation still pair). */
  pairingCodeDigests(normalizedCode: string): string[] {
    this.refresh();
    return this.sealers.map((s) => s.pairingCodeDigest(normalizedCode));
  }

  /** Re-reads master.key if it changed (or, with `force`, whenever it is a file). True if the keys changed. */
  refresh(force = false): boolean {
    if (this.source.kind !== 'file') return false;
    const stamp = fileStamp(this.source.file);
    if (!force && stamp === this.stamp) return false;
    const before = this.ids.join(',');
    try {
      this.load(readMasterKeyFile(this.source.file));
    } catch {
      return false; // mid-rewrite or unreadable: keep the keys held
    }
    this.stamp = stamp;
    return this.ids.join(',') !== before;
  }

  private load(keys: Buffer[]): void {
    this.sealers = keys.map((k) => new Sealer(k));
    this.byId = new Map(this.sealers.map((s) => [s.keyId, s]));
    if (this.source.kind === 'file') this.stamp = fileStamp(this.source.file);
  }
}

function fileStamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return '';
  }
}
