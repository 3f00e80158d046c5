/** What the card asks of the background worker; tests substitute their own. */
import { sendToBackground } from '../messaging/send';
import type { Reply, ResponseOf } from '../messaging/protocol';

export type CardClient = {
  listApplications(): Promise<Reply<ResponseOf<'serval:list-applications'>>>;
  createApplication(name: string, stripeAccount?: string): Promise<Reply<ResponseOf<'serval:create-application'>>>;
  setStripeAccount(applicationId: string, stripeAccount: string): Promise<Reply<ResponseOf<'serval:set-stripe-account'>>>;
  sendKey(applicationId: string, apiKey: string, previousKeyExpiresAt?: string): Promise<Reply<ResponseOf<'serval:send-key'>>>;
  rotateKey(applicationIds: string[], apiKey: string, previousKeyExpiresAt?: string): Promise<Reply<ResponseOf<'serval:rotate-key'>>>;
  openOptions(): Promise<Reply<null>>;
};

export const backgroundCardClient: CardClient = {
  listApplications: () => sendToBackground('serval:list-applications'),
  createApplication: (name, stripeAccount) => sendToBackground('serval:create-application', stripeAccount ? { name, stripeAccount } : { name }),
  setStripeAccount: (applicationId, stripeAccount) => sendToBackground('serval:set-stripe-account', { applicationId, stripeAccount }),
  sendKey: (applicationId, apiKey, previousKeyExpiresAt) =>
    sendToBackground('serval:send-key', previousKeyExpiresAt ? { applicationId, apiKey, previousKeyExpiresAt } : { applicationId, apiKey }),
  rotateKey: (applicationIds, apiKey, previousKeyExpiresAt) =>
    sendToBackground('serval:rotate-key', previousKeyExpiresAt ? { applicationIds, apiKey, previousKeyExpiresAt } : { applicationIds, apiKey }),
  openOptions: () => sendToBackground('serval:open-options'),
};
