/**
 * The background worker's side of the protocol: one handler per message type, checked against
 * where the message came from. Content scripts may only send the messages marked `page` or
 * `any`: pairing, disconnecting and the like are for the popup and the options page.
 */
import type { Browser } from 'wxt/browser';
import { clientError } from '../../ui/errors';
import { MESSAGE_ORIGINS, isRequestMessage, type MessageType, type Reply, type RequestOf, type ResponseOf } from './protocol';

export type Sender = Browser.runtime.MessageSender;

export type Handlers = {
  [K in MessageType]: (data: RequestOf<K>, sender: Sender) => Promise<Reply<ResponseOf<K>>>;
};

/** This extension as the browser names it in a message's sender: `runtime.id` and `runtime.getURL('/')`. */
export type ExtensionIdentity = { id: string; baseUrl: string };

/**
 * 'extension' only for the extension's own pages — the popup, the options page, also when it is
 * open in a tab: a sender with our id and a URL under our origin. Everything else is 'page',
 * whether or not the browser says which tab it came from.
 */
export function senderOrigin(sender: Sender, extension: ExtensionIdentity): 'extension' | 'page' {
  const fromExtensionPage = sender.id === extension.id && (sender.url?.startsWith(extension.baseUrl) ?? false);
  return fromExtensionPage ? 'extension' : 'page';
}

export async function dispatch(handlers: Handlers, message: unknown, sender: Sender, extension: ExtensionIdentity): Promise<Reply<unknown>> {
  if (!isRequestMessage(message)) return { ok: false, error: clientError('bad_request') };
  const allowed = MESSAGE_ORIGINS[message.type];
  if (allowed !== 'any' && allowed !== senderOrigin(sender, extension)) {
    return { ok: false, error: clientError('not_allowed') };
  }
  const handler = handlers[message.type] as (data: unknown, sender: Sender) => Promise<Reply<unknown>>;
  try {
    return await handler(message.data, sender);
  } catch {
    // Handlers return their errors; this is a bug. Say so without echoing the message, which may hold a key.
    return { ok: false, error: { code: 'internal_error', message: 'The Serval extension hit an unexpected error.' } };
  }
}

/**
 * What a `runtime.onMessage` listener returns to answer asynchronously: it answers through
 * `sendResponse` (and returns `true` to keep the channel open), which every browser supports;
 * where no `sendResponse` is given (WXT's fake browser in tests) it returns the promise instead.
 */
export function answer<T>(reply: Promise<T>, sendResponse?: (response: T) => void): true | Promise<T> {
  if (typeof sendResponse !== 'function') return reply;
  void reply.then(sendResponse);
  return true;
}

/** The background worker's `runtime.onMessage` listener. Messages that are not ours are left alone. */
export function createMessageListener(handlers: Handlers, extension: ExtensionIdentity) {
  return (message: unknown, sender: Sender, sendResponse?: (response: unknown) => void): true | Promise<Reply<unknown>> | undefined => {
    if (!isRequestMessage(message)) return undefined;
    return answer(dispatch(handlers, message, sender, extension), sendResponse);
  };
}
