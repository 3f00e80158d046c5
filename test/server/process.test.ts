/** The backend as `npm start` runs it: a real process, a pairing code on stdout, clean shutdown. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnBackend, startBackend } from './backend-process.js';
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
  it('starts, prints a pairing code that works, and stops cleanly on SIGTERM', async () => {
    const backend = await startBackend(await env());
    const res = await backend.fetch('/api/pair', { method: 'POST', body: { code: backend.pairingCode, deviceName: 'proc test' } });
    expect(res.status).toBe(201);
    expect(await backend.stop()).toBe(0);
    expect(backend.output().stdout).toContain('"msg":"shutting down"');
    expect(backend.output().stdout).toMatch(/"method":"POST","path":"\/api\/pair","status":201/); // the log, written out on the way down
  });

  it('a bad setting stops start-up with a message naming the variable', async () => {
    const backend = spawnBackend(await env({ SERVAL_MASTER_KEY: 'too-short' }));
    expect(await backend.exited).toBe(1);
    expect(backend.output().stderr).toContain('SERVAL_MASTER_KEY');
    expect(backend.output().stderr).toContain('32 bytes');
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
