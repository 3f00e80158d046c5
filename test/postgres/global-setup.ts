/**
 * Vitest globalSetup: one throwaway PostgreSQL cluster for the whole run. Its admin URL (database
 * 'postgres') is provided as `inject('postgresUrl')` and set as SERVAL_TEST_POSTGRES_URL (test
 * workers are started after this and inherit it); its data dir and log file are provided too, for
 * tests that scan them. Tests create their own databases on it.
 */
import type {} from 'vitest'; // brings 'vitest' into the program for the augmentation below
import type { TestProject } from 'vitest/node';
import { postgresAvailable, startPostgresCluster } from './cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    postgresDataDir: string;
    postgresLogFile: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!postgresAvailable()) {
    throw new Error(
      'The PostgreSQL tests need the PostgreSQL server binaries (initdb, pg_ctl, postgres), found neither in ' +
        '/usr/lib/postgresql/*/bin nor through `pg_config --bindir`. Install them: apt-get install -y postgresql',
    );
  }
  const cluster = await startPostgresCluster();
  const url = cluster.url();
  project.provide('postgresUrl', url);
  project.provide('postgresDataDir', cluster.dataDir);
  project.provide('postgresLogFile', cluster.logFile);
  process.env.SERVAL_TEST_POSTGRES_URL = url;
  return async () => {
    delete process.env.SERVAL_TEST_POSTGRES_URL;
    await cluster.destroy();
  };
}
