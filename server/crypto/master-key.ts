/**
 * Where the master keys come from: SERVAL_MASTER_KEY (comma-separated), or `master.key` in the
 * data dir (one base64 key per line; created on first start, mode 0600). The first key seals; all
 * of them open. The file is only ever replaced whole (written aside, synced, renamed), so a crash
 * leaves either the old file or the new one.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class MasterKeyError extends Error {}

export const KEY_BYTES = 32;

export function masterKeyFile(dataDir: string): string {
  return path.join(dataDir, 'master.key');
}

/** `key1,key2` or one key a line (blank lines and `#` comments allowed): each base64 of 32 bytes. */
export function parseMasterKeys(text: string, where: string): Buffer[] {
  const items = text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  if (items.length === 0) throw new MasterKeyError(`${where} holds no key.`);
  return items.map((item, i) => {
    const key = Buffer.from(item, 'base64');
    if (!/^[A-Za-z0-9+/]{43}=?$/.test(item) || key.length !== KEY_BYTES) {
      throw new MasterKeyError(`${where}: key ${i + 1} is not a 32-byte key in base64 (make one with \`openssl rand -base64 32\`).`);
    }
    return key;
  });
}

/** Reads master.key, refusing one that other users of the machine could read or change. */
export function readMasterKeyFile(file: string): Buffer[] {
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new MasterKeyError(
      `${file} can be read or changed by other users of this machine (mode ${mode.toString(8).padStart(4, '0')}): ` +
        `anyone who reads it can open every stored Stripe key. Make it private — chmod 600 ${file} — and start again.`,
    );
  }
  return parseMasterKeys(fs.readFileSync(file, 'utf8'), file);
}

/** Replaces master.key whole: written aside with mode 0600, synced, renamed over, the dir synced. */
export function writeMasterKeyFile(file: string, keys: Buffer[]): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const aside = path.join(dir, `.master.key.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fd = fs.openSync(aside, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${keys.map((k) => k.toString('base64')).join('\n')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(aside, file);
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

/** A fresh master.key with one new key; never overwrites one another process wrote meanwhile. */
export function createMasterKeyFile(file: string): Buffer[] {
  const key = randomBytes(KEY_BYTES);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return [key];
}

export function newMasterKey(): Buffer {
  return randomBytes(KEY_BYTES);
}
