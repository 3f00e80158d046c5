/** The data dir (SERVAL_DATA_DIR): the SQLite database and master.key live there, so it is ours alone. */
import fs from 'node:fs';

/** Creates the data dir if needed, mode 0700 (also when an older version left it open to others). */
export function makePrivate(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
}
