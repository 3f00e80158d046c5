/**
 * The databases the backend benchmarks run on, side by side in one run: the embedded SQLite file,
 * and PostgreSQL on a throwaway cluster with its default (durable) settings — fsync on, as a team's
 * database would run.
 */
import { randomBytes } from 'node:crypto';
import { postgresAvailable, startPostgresCluster, type PostgresCluster } from '../test/postgres/cluster.js';

export type BenchDatabase = { label: string; env: () => Promise<Record<string, string>> };

let cluster: PostgresCluster | null = null;

export async function benchDatabases(): Promise<BenchDatabase[]> {
  const list: BenchDatabase[] = [{ label: 'SQLite', env: async () => ({}) }];
  if (!postgresAvailable()) {
    console.log('  (PostgreSQL is not installed: apt-get install -y postgresql to measure it too)');
    return list;
  }
  list.push({
    label: 'PostgreSQL',
    env: async () => {
      cluster ??= await startPostgresCluster({ fast: false });
      return { DATABASE_URL: await cluster.createDatabase('bench'), SERVAL_MASTER_KEY: randomBytes(32).toString('base64') };
    },
  });
  return list;
}

export async function closeBenchDatabases(): Promise<void> {
  await cluster?.destroy();
  cluster = null;
}
