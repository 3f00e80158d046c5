/**
 * Where the master key comes from: SERVAL_MASTER_KEY, or a `master.key` file in the data dir,
 * created (mode 0600) on first start.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class MasterKeyError extends Error {}

export function loadMasterKey(dataDir: string, fromEnv: Buffer | null): { key: Buffer; source: 'env' | 'file' | 'generated' } {
  if (fromEnv) return { key: fromEnv, source: 'env' };
  const file = path.join(dataDir, 'master.key');
  if (fs.existsSync(file)) {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) {
      throw new MasterKeyError(
        `${file} can be read or changed by other users of this machine (mode ${mode.toString(8).padStart(4, '0')}): ` +
          `anyone who reads it can open every stored Stripe key. Make it private — chmod 600 ${file} — and start again.`,
      );
    }
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new MasterKeyError(`${file} does not hold a 32-byte base64 key.`);
    return { key, source: 'file' };
  }
  const key = randomBytes(32);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // 'wx': never overwrite a key another process wrote in the meantime.
  fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, source: 'generated' };
}
