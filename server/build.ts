/**
 * `npm run build:server`: the production server, compiled by esbuild.
 *
 * - dist/server/server.cjs: the server, one CommonJS bundle. CommonJS because most of what it
 *   bundles is (stripe, pg, pino): esbuild keeps each such module in a wrapper run at its first
 *   require, so stripe-node and node-postgres cost nothing until a request needs them.
 * - dist/server/main.cjs: what `npm run serve` runs with plain `node`; it turns on Node's compile
 *   cache in a private directory and loads server.cjs (server/launch.ts).
 * - dist/server/{pair,invite,rotate-master-key,backup,import}.mjs: the command-line tools, ES modules sharing chunks.
 *
 * Why esbuild rather than tsc: it bundles. The server's ~60 modules and the hundreds of files of
 * its dependencies (hono, zod, drizzle, stripe, pino) become one file, so start-up reads and
 * compiles one script instead of resolving each; it also strips types in well under a second. tsc
 * still type-checks (`npm run typecheck`). Native and optional modules stay outside the bundle.
 */
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * zod re-exports all of its ~40 message locales as `z.locales`, a quarter of the bundle that start-up
 * would parse for nothing: the server speaks English (zod's default) and never picks a locale.
 */
const englishOnlyZod: esbuild.Plugin = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir) ? { path: 'zod-locales', namespace: 'english-only-zod' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'english-only-zod' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(`${root}node_modules/zod/v4/locales/en.js`)};`,
      resolveDir: root,
    }));
  },
};

/** The command-line tools (`node dist/server/pair.mjs` …). */
const TOOLS = {
  pair: 'server/cli/pair.ts',
  invite: 'server/cli/invite.ts',
  'rotate-master-key': 'server/cli/rotate-master-key.ts',
  backup: 'server/cli/backup.ts',
  import: 'server/cli/import.ts',
};

const COMMON: esbuild.BuildOptions = {
  absWorkingDir: root,
  outdir: 'dist/server',
  bundle: true,
  platform: 'node',
  target: 'node24',
  // better-sqlite3 loads a native addon; pg-native is pg's optional libpq binding (not installed);
  // pino-pretty is loaded only for LOG_FORMAT=pretty.
  external: ['better-sqlite3', 'pg-native', 'pino-pretty'],
  plugins: [englishOnlyZod],
  minify: process.env.SERVAL_BUILD_READABLE !== '1',
  keepNames: false,
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
};

/** The server and its launcher, as CommonJS; import.meta.url is the bundle's own file (server/paths.ts finds the root from it). */
const COMMONJS: esbuild.BuildOptions = {
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  define: { 'import.meta.url': '__servalModuleUrl' },
  banner: { js: "var __servalModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
};

export async function buildServer(): Promise<{ bytes: number; ms: number }> {
  const started = performance.now();
  fs.rmSync(path.join(root, 'dist/server'), { recursive: true, force: true }); // no chunk or cache of an older build
  const results = await Promise.all([
    esbuild.build({
      ...COMMON,
      ...COMMONJS,
      // stripe-node and node-postgres are in the bundle but are compiled only when first imported.
      entryPoints: { server: 'server/main.ts', main: 'server/launch.ts' },
    }),
    esbuild.build({
      ...COMMON,
      entryPoints: TOOLS,
      outExtension: { '.js': '.mjs' },
      format: 'esm',
      // What is loaded only when needed (stripe-node, node-postgres) and what the tools share go into chunks beside them.
      splitting: true,
      chunkNames: '[name]-[hash]', // beside the entries: modules find the project root from where they are (paths.ts)
      // The CommonJS dependencies inside an ES module still find require, __filename and __dirname.
      banner: {
        js: [
          "import { createRequire as __servalCreateRequire } from 'node:module';",
          "import { fileURLToPath as __servalFileURLToPath } from 'node:url';",
          "import { dirname as __servalDirname } from 'node:path';",
          'const require = __servalCreateRequire(import.meta.url);',
          'const __filename = __servalFileURLToPath(import.meta.url);',
          'const __dirname = __servalDirname(__filename);',
        ].join('\n'),
      },
    }),
  ]);
  const bytes = results
    .flatMap((result) => Object.entries(result.metafile!.outputs))
    .filter(([file]) => /\.(c|m)js$/.test(file))
    .reduce((sum, [, output]) => sum + output.bytes, 0);
  return { bytes, ms: Math.round(performance.now() - started) };
}

/** What the bundle is built from: a build older than any of it is stale. */
const SOURCES = ['server', 'shared', 'package-lock.json'];

export function serverBuildIsStale(): boolean {
  const built = path.join(root, 'dist/server/server.cjs');
  if (!fs.existsSync(built)) return true;
  const builtAt = fs.statSync(built).mtimeMs;
  const newest = (entry: string): number => {
    const stat = fs.statSync(entry);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newest(path.join(entry, name))));
  };
  return SOURCES.some((source) => newest(path.join(root, source)) > builtAt);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { bytes, ms } = await buildServer();
  console.log(`Built dist/server (the server, its launcher and the CLIs, ${(bytes / 1024).toFixed(0)} KiB) in ${ms} ms.`);
}
