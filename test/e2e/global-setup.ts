/**
 * Builds the extension once per run when `.output/chrome-mv3` is missing or older than anything
 * it is built from, builds the production server bundle the tests run (dist/server, about a
 * second), and checks that Chromium is there before any test starts a browser.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './backend.js';
import { findChromium } from './chromium.js';
import { buildServer, serverBuildIsStale } from '../../server/build.js';

export const EXTENSION_DIR = path.join(REPO_ROOT, '.output', 'chrome-mv3');

const BUILD_TIMEOUT_MS = 5 * 60_000;
/** What the extension is built from. */
const SOURCES = ['extension', 'shared', 'ui', 'console', 'wxt.config.ts', 'package.json', 'package-lock.json'];

function newestMtime(entry: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its directory's mtime
  for (const name of fs.readdirSync(entry)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

export function extensionBuildIsStale(): boolean {
  const manifest = path.join(EXTENSION_DIR, 'manifest.json');
  if (!fs.existsSync(manifest)) return true;
  const built = fs.statSync(manifest).mtimeMs;
  return SOURCES.some((source) => newestMtime(path.join(REPO_ROOT, source)) > built);
}

function npmRun(script: 'build'): Promise<void> {
  const scripts = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts ?? {};
  if (!scripts[script]) throw new Error(`package.json has no "${script}" script: the e2e tests cannot build what they run.`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', script], {
      cwd: REPO_ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`\`npm run ${script}\` failed (${signal ?? `exit ${code}`}); the e2e tests need its output.\n${output.slice(-4000)}`));
    });
  });
}

export default async function setup(): Promise<void> {
  findChromium(); // fail early, with the install instructions
  const started = Date.now();
  if (extensionBuildIsStale()) {
    await npmRun('build'); // the extension and the server
    if (!fs.existsSync(path.join(EXTENSION_DIR, 'manifest.json'))) throw new Error('`npm run build` made no .output/chrome-mv3/manifest.json.');
    process.stdout.write(`e2e: built the extension and the server in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } else if (serverBuildIsStale()) {
    await buildServer();
  }
}
