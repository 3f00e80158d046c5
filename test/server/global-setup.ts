/**
 * Vitest globalSetup for the server tests: the tests that start real processes (the server, its
 * command-line tools) run the production bundle, built here when it is older than its sources
 * (esbuild: about a second).
 */
import { buildServer, serverBuildIsStale } from '../../server/build.js';

export default async function setup(): Promise<void> {
  if (serverBuildIsStale()) await buildServer();
}
