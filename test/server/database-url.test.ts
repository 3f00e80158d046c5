/**
 * DATABASE_URL's secrets and transport: every secret in the URL masked wherever it is printed or
 * logged (userinfo and `?password=` alike); a warning at start-up when the database is beyond
 * loopback without TLS that checks the certificate and the server's name under node-postgres 8
 * and 9 alike — decided from what node-postgres itself makes of the URL.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { effectiveConnection, isLoopbackHost, judgeTransport, redactDatabaseUrl } from '../../server/db/postgres/connection-url.js';
import { openPostgresDatabase } from '../../server/db/postgres/database.js';
import { createMemoryLogger } from '../../server/logger.js';
import { startBackend, type BackendProcess } from './backend-process.js';
import { dialect, freshDatabaseEnv, postgresCluster } from './harness.js';
import { dropTestDatabase } from '../postgres/databases.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('redactDatabaseUrl', () => {
  it.each([
    ['postgres://serval:s3cr3t@db:5432/serval', 'postgres://serval:***@db:5432/serval'],
    ['postgres://serval@db/serval?password=s3cr3t', 'postgres://serval@db/serval?password=***'],
    [
      'postgresql://serval:a@db/serval?password=b&sslmode=verify-full&sslrootcert=/etc/ssl/db-ca.pem',
      'postgresql://serval:***@db/serval?password=***&sslmode=verify-full&sslrootcert=/etc/ssl/db-ca.pem',
    ],
    // sslpassword, sslkey, anything unknown or spelled otherwise: masked; known harmless settings shown.
    [
      'postgres://u@db/x?sslpassword=k&sslkey=/k.pem&PASSWORD=c&pass%77ord=d&application_name=serval',
      'postgres://u@db/x?sslpassword=***&sslkey=***&PASSWORD=***&pass%77ord=***&application_name=serval',
    ],
    // Read as pg-connection-string reads it: the last @ ends the userinfo; spaces encoded; an empty host.
    ['postgres://u:p@ss@db/x', 'postgres://u:***@db/x'],
    ['postgres://u:p ss@db/x?password=a b', 'postgres://u:***@db/x?password=***'],
    ['postgres://u:secret@/serval?host=/var/run/postgresql', 'postgres://u:***@/serval?host=/var/run/postgresql'],
    ['postgres://u:secret@db/x#secret', 'postgres://u:***@db/x'],
    ['postgres://u:secret@db:99999/x', 'postgres://(unparseable URL)'],
  ])('%s → %s', (url, expected) => {
    expect(redactDatabaseUrl(url)).toBe(expected);
  });
});

describe('the transport check', () => {
  const judge = (url: string) => judgeTransport(effectiveConnection(url)!);

  it('loopback in every spelling, and unix sockets, are safe without TLS', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1', '127.9.9.9', '[::1]', '[0::1]', '[::0:1]', '[::ffff:7f00:1]', '[::ffff:127.0.0.1]']) {
      expect(judge(`postgres://u:p@${host}:5432/x`), host).toMatchObject({ safe: true, why: 'loopback' });
    }
    expect(judge('postgres://u:p@/x?host=/var/run/postgresql')).toMatchObject({ safe: true, why: 'unix socket' });
    for (const host of ['db.internal', '10.0.0.5', '[fd00::2]', '[::ffff:10.0.0.1]', 'db.localhost', '128.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('beyond loopback, only TLS that checks the certificate and the name — in pg 8 and pg 9 — is safe', () => {
    const at = (query: string) => judge(`postgres://u:p@db.internal:5432/serval${query}`);
    expect(at('?sslmode=verify-full')).toMatchObject({ safe: true, why: 'verified TLS' });
    expect(at('?sslmode=verify-full&sslrootcert=/etc/hostname')).toMatchObject({ safe: true, why: 'verified TLS' });
    expect(at('?ssl=true')).toMatchObject({ safe: true, why: 'verified TLS' }); // Node's TLS defaults: certificate and name checked
    expect(at('')).toMatchObject({ safe: false, problem: expect.stringMatching(/^no TLS/) });
    expect(at('?sslmode=disable')).toMatchObject({ safe: false, problem: expect.stringMatching(/^no TLS/) });
    expect(at('?ssl=0')).toMatchObject({ safe: false, problem: expect.stringMatching(/^no TLS/) });
    expect(at('?sslmode=no-verify')).toMatchObject({ safe: false, problem: expect.stringContaining("doesn't check the server's certificate") });
    expect(at('?uselibpqcompat=true&sslmode=require')).toMatchObject({ safe: false, problem: expect.stringContaining("doesn't check") });
    expect(at('?uselibpqcompat=true&sslmode=verify-ca&sslrootcert=/etc/hostname')).toMatchObject({
      safe: false,
      problem: expect.stringContaining("not the server's name"),
    });
    // pg 8 reads these as verify-full; pg 9 and libpq won't check the certificate.
    for (const mode of ['prefer', 'require', 'verify-ca']) {
      expect(at(`?sslmode=${mode}`), mode).toMatchObject({
        safe: false,
        problem: expect.stringContaining(`sslmode=${mode} checks the certificate today only`),
      });
    }
    expect(judge('postgres://u:p@[fd00::2]:5432/serval')).toMatchObject({ safe: false, host: 'fd00::2' });
  });

  it('opening the database warns once, in one line without the password; loopback and verified TLS say nothing', async () => {
    const logged = (url: string) => {
      const { logger, lines } = createMemoryLogger();
      const database = openPostgresDatabase(url, { poolSize: 1, logger }); // no connection is made until start()
      cleanups.push(() => database.close());
      return lines.map((line) => JSON.parse(line) as { level: number; msg: string; database: string; host: string });
    };
    const warned = logged('postgres://serval:Userinfo-Secret@db.internal:5432/serval?password=Query-Secret');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({
      level: 40,
      host: 'db.internal',
      database: 'postgres://serval:***@db.internal:5432/serval?password=***',
      msg: expect.stringMatching(/^PostgreSQL at db\.internal is reached without verified TLS \(no TLS.*sslmode=verify-full&sslrootcert=/),
    });
    expect(JSON.stringify(warned)).not.toMatch(/Userinfo-Secret|Query-Secret/);
    expect(logged('postgres://serval:s@127.1:5432/serval')).toEqual([]);
    expect(logged('postgres://serval:s@db.internal:5432/serval?sslmode=verify-full')).toEqual([]);
  });
});

/** An address of this machine that is not loopback (the relay listens there), if it has one. */
const outward = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe.runIf(dialect === 'postgres')('the backend on a PostgreSQL beyond loopback', () => {
  it.skipIf(!outward)('starts, warns once in the JSON log, and prints neither form of the password anywhere', { timeout: 30_000 }, async () => {
    const { DATABASE_URL, SERVAL_MASTER_KEY } = await freshDatabaseEnv('url');
    cleanups.push(() => dropTestDatabase(postgresCluster().adminUrl, DATABASE_URL));
    // The test cluster listens on 127.0.0.1 only: a relay on this machine's outward address reaches it.
    const cluster = new URL(DATABASE_URL);
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((inbound) => {
      const upstream = net.connect(Number(cluster.port), '127.0.0.1');
      for (const s of [inbound, upstream]) {
        sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => (s === inbound ? upstream : inbound).destroy());
      }
      inbound.pipe(upstream).pipe(inbound);
    });
    await new Promise<void>((resolve) => relay.listen(0, outward, resolve));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => relay.close(resolve));
    });
    const port = (relay.address() as net.AddressInfo).port;
    const url = `postgres://postgres:Userinfo-Secret-1@${outward}:${port}${cluster.pathname}?password=Query-Secret-2&sslpassword=Key-Secret-3`;

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-url-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const backend: BackendProcess = await startBackend({ DATABASE_URL: url, SERVAL_MASTER_KEY, SERVAL_DATA_DIR: dataDir, LOG_FORMAT: 'json' });
    cleanups.push(() => backend.stop());
    expect((await backend.fetch('/api/health')).status).toBe(200);
    await backend.logWritten();
    expect(await backend.stop()).toBe(0);

    const { stdout, stderr } = backend.output();
    const everything = `${stdout}\n${stderr}`;
    expect(everything).toContain(`postgres://postgres:***@${outward}:${port}${cluster.pathname}?password=***&sslpassword=***`);
    for (const secret of ['Userinfo-Secret-1', 'Query-Secret-2', 'Key-Secret-3']) expect(everything).not.toContain(secret);
    const warnings = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((entry) => entry.level === 40);
    expect(warnings).toEqual([expect.objectContaining({ msg: expect.stringContaining(`PostgreSQL at ${outward} is reached without verified TLS (no TLS`) })]);
  });
});
