/** Asks the background worker to inject the card script into this frame, then finds its API. */
import { installedCardApi, type CardApi } from '../card/card-api';
import { sendToBackground } from '../messaging/send';

export async function loadCardFromBackground(): Promise<CardApi | null> {
  const existing = installedCardApi();
  if (existing) return existing;
  const reply = await sendToBackground('serval:load-card');
  return reply.ok ? (installedCardApi() ?? null) : null;
}
