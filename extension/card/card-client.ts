/** What the card asks of the background worker; tests substitute their own. */
import { sendToBackground } from '../messaging/send';
import type { Reply, ResponseOf } from '../messaging/protocol';

export type CardClient = {
  listApplications(): Promise<Reply<ResponseOf<'serval:list-applications'>>>;
  createApplication(name: string): Promise<Reply<ResponseOf<'serval:create-application'>>>;
  sendKey(applicationId: string, apiKey: string): Promise<Reply<ResponseOf<'serval:send-key'>>>;
  rotateKey(applicationIds: string[], apiKey: string): Promise<Reply<ResponseOf<'serval:rotate-key'>>>;
  openOptions(): Promise<Reply<null>>;
};

export const backgroundCardClient: CardClient = {
  listApplications: () => sendToBackground('serval:list-applications'),
  createApplication: (name) => sendToBackground('serval:create-application', { name }),
  sendKey: (applicationId, apiKey) => sendToBackground('serval:send-key', { applicationId, apiKey }),
  rotateKey: (applicationIds, apiKey) => sendToBackground('serval:rotate-key', { applicationIds, apiKey }),
  openOptions: () => sendToBackground('serval:open-options'),
};
