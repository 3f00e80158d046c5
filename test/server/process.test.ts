/** The backend as `npm start` runs it: a real process, a pairing code on stdout, clean shutdown. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function startBackend(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-proc-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, SERVAL_DATA_DIR: dataDir, PORT: '0', SERVAL_RECHECK_INTERVAL_MINUTES: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, timeoutMs = 15_000) => {
    const started = Date.now();
    while (!pattern.test(stdout)) {
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${pattern}; stdout: ${stdout}; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return pattern.exec(stdout)!;
  };
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}

describe('server/main.ts', () => {
  it('starts, prints a pairing code that works, and stops cleanly on SIGTERM', async () => {
    const backend = startBackend({});
    const [, url] = await backend.waitFor(/listening on (http:\/\/\S+)/);
    const [, code] = await backend.waitFor(/Pairing code: ([A-Z2-9]{4}-[A-Z2-9]{4})/);
    const res = await fetch(`${url}/api/pair`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code, deviceName: 'proc test' }) });
    expect(res.status).toBe(201);
    backend.child.kill('SIGTERM');
    expect(await backend.exited).toBe(0);
    expect(backend.output().stdout).toContain('"msg":"shutting down"');
  });

  it('a bad setting stops start-up with a message naming the variable', async () => {
    const backend = startBackend({ SERVAL_MASTER_KEY: 'too-short' });
    expect(await backend.exited).toBe(1);
    expect(backend.output().stderr).toContain('SERVAL_MASTER_KEY');
    expect(backend.output().stderr).toContain('32 bytes');
  });
});
