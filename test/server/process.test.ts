/** The backend as `npm start` runs it: a real process, a pairing code on stderr (stdout is the log), clean shutdown. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PAIRING_CODE, spawnBackend, startBackend } from './backend-process.js';
import { freshDatabaseEnv } from './harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function env(extra: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-proc-'));
  dirs.push(dataDir);
  return { SERVAL_DATA_DIR: dataDir, ...(await freshDatabaseEnv('proc')), ...extra };
}

describe('server/main.ts', () => {
  it('starts, prints a pairing code that works on stderr — never into the JSON log on stdout — and stops cleanly on SIGTERM', async () => {
    const backend = await startBackend(await env()); // stdout and stderr are pipes, as a log collector reads them
    const res = await backend.fetch('/api/pair', { method: 'POST', body: { code: backend.pairingCode, deviceName: 'proc test' } });
    expect(res.status).toBe(201);
    expect(await backend.stop()).toBe(0);
    const { stdout, stderr } = backend.output();
    expect(stdout).toContain('"msg":"shutting down"');
    expect(stdout).toMatch(/"method":"POST","path":"\/api\/pair","status":201/); // the log, written out on the way down
    expect(stderr).toContain(`Pairing code: ${backend.pairingCode}`);
    expect(stdout).toContain('Pairing code: printed on stderr, never in this log');
    expect(stdout).not.toMatch(PAIRING_CODE);
    expect(stdout).not.toContain(backend.pairingCode.slice(0, 4)); // nor any part of it
    expect(stdout).not.toContain(backend.pairingCode.slice(5));
  });

  it('with stderr in the same file as the log (2>&1, a journal), prints the code nowhere and says how to get one', async () => {
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-proc-log-'));
    dirs.push(logDir);
    const file = path.join(logDir, 'serval.log');
    const backend = spawnBackend(await env(), { stdoutFile: file, stderrToStdoutFile: true });
    await backend.waitFor(/"msg":"listening"/);
    backend.child.kill('SIGTERM');
    expect(await backend.exited).toBe(0);
    const both = fs.readFileSync(file, 'utf8');
    expect(both).toContain('Pairing code: not printed, because stderr goes to the same place as this log; `npm run pair` prints one');
    expect(both).not.toMatch(PAIRING_CODE);
    expect(both).not.toMatch(/\b[A-Z2-9]{4}-[A-Z2-9]{4}\b/); // no code, whatever it was
  });

  it('a bad setting stops start-up with a message naming the variable', async () => {
    const backend = spawnBackend(await env({ SERVAL_MASTER_KEY: 'too-short' }));
    expect(await backend.exited).toBe(1);
    expect(backend.output().stderr).toContain('SERVAL_MASTER_KEY');
    expect(backend.output().stderr).toContain('32 bytes');
  });

  it('STRIPE_API_BASE over plain http to a host that is not loopback stops start-up, saying why', async () => {
    const backend = spawnBackend(await env({ STRIPE_API_BASE: 'http://stripe.example.com' }));
    expect(await backend.exited).toBe(1);
    expect(backend.output().stderr).toContain('Serval backend did not start.');
    expect(backend.output().stderr).toMatch(/STRIPE_API_BASE: plain http is allowed only to a loopback address .*not http:\/\/stripe\.example\.com/);
  });

  it('DATABASE_URL without SERVAL_MASTER_KEY stops start-up, naming SERVAL_MASTER_KEY', async () => {
    const backend = spawnBackend(await env({ DATABASE_URL: 'postgres://serval@127.0.0.1:1/serval', SERVAL_MASTER_KEY: '' }));
    expect(await backend.exited).toBe(1);
    expect(backend.output().stderr).toMatch(/SERVAL_MASTER_KEY: required with DATABASE_URL/);
  });
});

describe('the JSON log on stdout', () => {
  it('keeps at most 16 MiB waiting in memory when nothing reads stdout, and the server goes on', async () => {
    // 200,000 lines of ~330 bytes (some 66 MB) into a pipe nobody reads.
    const script = `
      import { createLogger } from './server/logger.ts';
      const logger = createLogger({ format: 'json' });
      const pad = 'x'.repeat(250);
      for (let i = 0; i < 200_000; i++) logger.info({ pad, i }, 'filler');
      await new Promise((resolve) => setTimeout(resolve, 300));
      process.stderr.write(JSON.stringify(process.memoryUsage()) + '\\n');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause(); // never read
    let stderr = '';
    const report = new Promise<NodeJS.MemoryUsage>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const line = stderr.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      child.on('exit', (code) => reject(new Error(`exited (${code}) before reporting: ${stderr}`)));
    });
    try {
      const memory = await report;
      expect(memory.arrayBuffers).toBeLessThan(24 * 1024 * 1024); // 16 MiB of log, and the rest of the process's buffers
    } finally {
      child.kill('SIGKILL');
    }
  });
});
