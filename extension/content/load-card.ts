/**
 * Asks the background worker to inject the card script into this frame, then finds its API.
 * Only whether that worked matters here, so the runtime is called directly: `sendToBackground`
 * would bring the whole error catalogue (the card's business) into the script that every
 * dashboard page loads, half a kilobyte of its 5 KB budget (issue 15).
 */
import { browser } from 'wxt/browser';
import { installedCardApi, type CardApi } from '../card/card-api';
import type { MessageType, Reply, ResponseOf } from '../messaging/protocol';

const LOAD_CARD = 'serval:load-card' satisfies MessageType;

export async function loadCardFromBackground(): Promise<CardApi | null> {
  const existing = installedCardApi();
  if (existing) return existing;
  let reply: Reply<ResponseOf<typeof LOAD_CARD>> | undefined;
  try {
    reply = await browser.runtime.sendMessage({ type: LOAD_CARD, data: undefined });
  } catch {
    return null; // the extension was reloaded under this page: nothing answers
  }
  return reply?.ok ? (installedCardApi() ?? null) : null;
}
