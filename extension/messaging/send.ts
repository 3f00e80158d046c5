/**
 * Sending a protocol message to the background worker, from the content script, the card, the
 * popup or the options page. Never throws: a worker that cannot answer (the extension was
 * reloaded under an open page) becomes an `extension_unavailable` error.
 */
import { browser } from 'wxt/browser';
import { clientError } from '../../ui/errors';
import type { MessageType, Reply, RequestOf, ResponseOf } from './protocol';

type DataArgs<K extends MessageType> = RequestOf<K> extends void ? [] : [data: RequestOf<K>];

export async function sendToBackground<K extends MessageType>(type: K, ...[data]: DataArgs<K>): Promise<Reply<ResponseOf<K>>> {
  try {
    const reply: unknown = await browser.runtime.sendMessage({ type, data });
    if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply as Reply<ResponseOf<K>>;
  } catch {
    // fall through
  }
  return { ok: false, error: clientError('extension_unavailable') };
}
