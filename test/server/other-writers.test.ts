/**
 * Every request reads the database afresh: what another connection or another process commits —
 * `npm run pair`, a second server, an operator's SQL — shows on the very next request. A revoked
 * device is refused at once, and the status counts what is there now. (Instances talking to each
 * other through the API: instances.test.ts.)
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../server/db/sqlite/database.js';
import { hashDeviceToken } from '../../server/pairing/codes.js';
import { adminQuery } from '../postgres/databases.js';
import { dialect, startHarness, type Harness } from './harness.js';

let h: Harness;
/** Another connection to the backend's database, as another process would have. */
let otherConnection: (statement: string) => Promise<void>;
let closeOtherConnection = () => {};

beforeAll(async () => {
  h = await startHarness();
  await h.pair();
  if (h.runtime.database.dialect === 'sqlite') {
    const sqlite = new Database((h.runtime.database as SqliteDatabase).file);
    sqlite.pragma('busy_timeout = 5000');
    otherConnection = async (statement) => {
      sqlite.exec(statement);
    };
    closeOtherConnection = () => sqlite.close();
  } else {
    otherConnection = async (statement) => {
      await adminQuery(h.env.DATABASE_URL!, statement, []);
    };
  }
});
afterAll(async () => {
  closeOtherConnection();
  await h.close();
});

/** A statement run by another process on the database, as `npm run pair` or a second server would. */
function inAnotherProcess(statement: string): void {
  const script =
    dialect === 'sqlite'
      ? `const Database = require('better-sqlite3'); const db = new Database(${JSON.stringify((h.runtime.database as SqliteDatabase).file)}); ` +
        `db.pragma('busy_timeout = 5000'); db.exec(${JSON.stringify(statement)}); db.close();`
      : `const { Client } = require('pg'); const client = new Client({ connectionString: ${JSON.stringify(h.env.DATABASE_URL)} }); ` +
        `client.connect().then(() => client.query(${JSON.stringify(statement)})).then(() => client.end()).catch((error) => { console.error(error); process.exit(1); });`;
  execFileSync(process.execPath, ['-e', script], { cwd: process.cwd() });
}

describe(`what others commit, on the next request (${dialect})`, () => {
  it('a device revoked by another connection or another process is refused at once', async () => {
    const me = await h.get('/api/status');
    expect(me.status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await h.get('/api/status')).status).toBe(200);
    await otherConnection(`update devices set revoked_at = '${new Date().toISOString()}' where id = '${me.body.device.id}'`);
    expect((await h.get('/api/status')).status).toBe(401);

    const second = await h.pair();
    for (let i = 0; i < 3; i++) expect((await h.get('/api/status', { token: second })).status).toBe(200);
    inAnotherProcess(`update devices set revoked_at = '${new Date().toISOString()}' where token_hash = '${hashDeviceToken(second)}'`);
    const refused = await h.get('/api/status', { token: second });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthorized');
  });

  it('the status counts what another connection or another process committed, at once', async () => {
    const token = await h.pair(); // the first test revoked the harness's own device
    const count = async () => {
      const res = await h.get('/api/status', { token });
      expect(res.status).toBe(200);
      return res.body.applications as number;
    };
    const start = await count();
    expect(await count()).toBe(start);
    await otherConnection(`insert into applications (id, name, created_at) values ('app_other_connection', 'Other', '${new Date().toISOString()}')`);
    expect(await count()).toBe(start + 1);
    inAnotherProcess("delete from applications where id = 'app_other_connection'");
    expect(await count()).toBe(start);
  });
});
