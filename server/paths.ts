/**
 * Files the server reads at run time — the migrations, the package's version, the built
 * extension — found from the project root, the same way from the TypeScript sources
 * (<root>/server/paths.ts) and from the compiled bundles (<root>/dist/server/server.cjs and <tool>.mjs, where
 * every module shares its entry's location).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const compiled = path.basename(path.dirname(here)) === 'dist';

export const PROJECT_ROOT = compiled ? path.resolve(here, '../..') : path.resolve(here, '..');

export function fromRoot(...parts: string[]): string {
  return path.join(PROJECT_ROOT, ...parts);
}
