/** The rows an integration operation needs, or the API's answer for the one that is missing. */
import { ApiError } from '../api-error.js';
import type { ApplicationRow, IntegrationRow, Repositories } from '../db/repositories.js';

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

/**
 * The `Stripe-Context` calls made with this key send: an organization key acts on the account its
 * application names (422 stripe_account_required when it names none); other keys act on their own
 * account and send none.
 */
export function stripeContextFor(application: Pick<ApplicationRow, 'stripeAccount'>, keyType: IntegrationRow['keyType']): string | null {
  if (keyType !== 'organization') return null;
  if (!application.stripeAccount) throw new ApiError('stripe_account_required');
  return application.stripeAccount;
}

/** The `Stripe-Context` of a stored key (one read of its application, for organization keys only). */
export async function storedStripeContext(db: Repositories, row: Pick<IntegrationRow, 'applicationId' | 'keyType'>): Promise<string | null> {
  if (row.keyType !== 'organization') return null;
  return stripeContextFor(await requireApplication(db, row.applicationId), row.keyType);
}
