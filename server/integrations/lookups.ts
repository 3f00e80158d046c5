/** The rows an integration operation needs, or the API's answer for the one that is missing. */
import { ApiError } from '../api-error.js';
import type { IntegrationRow, Repositories } from '../db/repositories.js';

export async function requireApplication(db: Repositories, applicationId: string) {
  const application = await db.applications.get(applicationId);
  if (!application) throw new ApiError('application_not_found');
  return application;
}

/** One query when there is an integration (it implies the application); two to say which is missing. */
export async function requireIntegration(db: Repositories, applicationId: string): Promise<IntegrationRow> {
  const row = await db.integrations.get(applicationId);
  if (row) return row;
  await requireApplication(db, applicationId);
  throw new ApiError('integration_not_found');
}
