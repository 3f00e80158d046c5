/**
 * The one definition of the messages between the content script, the card, the popup, the
 * options page and the background worker. Every request is `{type, data}`; every answer is a
 * `Reply`: errors travel as data, because thrown errors do not survive runtime messaging.
 *
 * The Stripe key appears in four messages only — `serval:offer-key` and `serval:take-offer` (its
 * way from the page to the card's frame), `serval:send-key` and `serval:rotate-key` — and is
 * never stored.
 */
import type { Application, IntegrationWithValidation, RotateResponse, Status } from '../../shared/api.js';
import type { Role } from '../../shared/roles.js';
import type { KeyMode, KeyType } from '../../shared/keys.js';
import type { ServalError } from '../../ui/errors';
import type { StripePage } from '../page/stripe-pages';

export type Reply<T> = { ok: true; data: T } | { ok: false; error: ServalError };

export type Device = { id: string; name: string };

/**
 * Who the browser is paired as, from the backend's last answer: shown in the popup and the
 * options page, and what the card may offer. Not a credential: the backend decides every request.
 */
export type PairedPerson = { id: string; name: string; role: Role };

/** What every part of the extension may know about the pairing. The token is not in it. */
export type PairingState = {
  paired: boolean;
  backendUrl: string;
  device: Device | null;
  /** Null until the backend has said (a pairing stored by an older version, before the first status). */
  person: PairedPerson | null;
  /** Why the extension is not paired any more, when it was. */
  unpairedReason: 'revoked' | null;
  defaultApplicationId: string | null;
};

export type StatusReport = {
  backendUrl: string;
  version: string | null;
  status: Omit<Status, 'version'> & { version?: string };
  applications: Application[];
  checkedAt: string;
};

/**
 * The Expiration chosen in Stripe's Rotate dialog (its words: "Now", "1 hour", … "7 days"), and
 * when the person clicked to rotate (ms since the epoch): the old key stops working that long after.
 */
export type RotateChoice = { expiration: string; chosenAt: number };

/**
 * What the card's frame gets for its one-time id: the key and what the card shows of it, and where
 * its host is (the tab, the frame, the host's own name for the card) to tell it the card's size and
 * when it closes.
 */
export type TakenOffer = {
  key: string;
  keyType: KeyType;
  /** Null for an organization key (`sk_org_…`): its prefix does not say; Stripe's answer to the check does. */
  mode: KeyMode | null;
  maskedKey: string;
  page: StripePage | null;
  /** Set when the key came out of Stripe's Rotate dialog. */
  rotation: RotateChoice | null;
  slot: string;
  tabId: number;
  frameId: number;
};

/**
 * From the card's frame to its host in the dashboard's content-script world, passed on by the
 * background worker (`serval:tell-card-host`, then `tabs.sendMessage`, which the page's scripts
 * can neither send nor read): the card's height, and that it closed.
 */
export const CARD_FRAME_MESSAGE = 'serval:card-frame';
export type CardFrameMessage =
  | { type: typeof CARD_FRAME_MESSAGE; slot: string; event: 'size'; height: number }
  | { type: typeof CARD_FRAME_MESSAGE; slot: string; event: 'close'; hadFocus: boolean };

/** Where a message may come from. `page`: a content script or the card on dashboard.stripe.com. */
export type Origin = 'extension' | 'page' | 'any';

type Message<Request, Response, From extends Origin> = { request: Request; response: Response; from: From };

export type Protocol = {
  'serval:get-state': Message<void, PairingState, 'any'>;
  'serval:pair': Message<{ backendUrl: string; code: string; deviceName: string }, PairingState, 'extension'>;
  'serval:disconnect': Message<void, PairingState, 'extension'>;
  'serval:get-status': Message<void, StatusReport, 'extension'>;
  /** With the person asked about just now: the card offers Send only when their role allows it. */
  'serval:list-applications': Message<void, { applications: Application[]; defaultApplicationId: string | null; person: PairedPerson | null }, 'any'>;
  /** `stripeAccount`: the account an organization key acts on for it (a member may set it on creation). */
  'serval:create-application': Message<{ name: string; stripeAccount?: string }, { application: Application }, 'any'>;
  /** Sets the account an existing application's organization key acts on: an admin's change. */
  'serval:set-stripe-account': Message<{ applicationId: string; stripeAccount: string }, { application: Application }, 'any'>;
  /** `previousKeyExpiresAt`: when the key this one replaced stops working (the Rotate dialog's Expiration). */
  'serval:send-key': Message<{ applicationId: string; apiKey: string; previousKeyExpiresAt?: string }, IntegrationWithValidation, 'any'>;
  /** Also update: the key just sent, to the other applications holding the account's older key. */
  'serval:rotate-key': Message<{ applicationIds: string[]; apiKey: string; previousKeyExpiresAt?: string }, RotateResponse, 'any'>;
  'serval:recheck': Message<{ applicationId: string }, IntegrationWithValidation, 'extension'>;
  'serval:set-default-application': Message<{ applicationId: string | null }, PairingState, 'any'>;
  /** Injects the card host's script into the sender's frame. */
  'serval:load-card': Message<void, null, 'page'>;
  /** The card host hands a key over for its card's frame: a one-time id back (background/offers.ts). */
  'serval:offer-key': Message<{ key: string; page: StripePage | null; rotation?: RotateChoice | null; slot: string }, { offerId: string }, 'page'>;
  /** The card's frame (an extension page) takes the key its id stands for; the id is spent. */
  'serval:take-offer': Message<{ offerId: string }, TakenOffer, 'extension'>;
  /** The card's frame tells its host (in the frame `frameId` of the sender's own tab) its size or its closing. */
  'serval:tell-card-host': Message<{ frameId: number; message: CardFrameMessage }, null, 'extension'>;
  'serval:open-options': Message<void, null, 'any'>;
};

export type MessageType = keyof Protocol;
export type RequestOf<K extends MessageType> = Protocol[K]['request'];
export type ResponseOf<K extends MessageType> = Protocol[K]['response'];
export type RequestMessage<K extends MessageType = MessageType> = { type: K; data: RequestOf<K> };

export const MESSAGE_ORIGINS: { [K in MessageType]: Protocol[K]['from'] } = {
  'serval:get-state': 'any',
  'serval:pair': 'extension',
  'serval:disconnect': 'extension',
  'serval:get-status': 'extension',
  'serval:list-applications': 'any',
  'serval:create-application': 'any',
  'serval:set-stripe-account': 'any',
  'serval:send-key': 'any',
  'serval:rotate-key': 'any',
  'serval:recheck': 'extension',
  'serval:set-default-application': 'any',
  'serval:load-card': 'page',
  'serval:offer-key': 'page',
  'serval:take-offer': 'extension',
  'serval:tell-card-host': 'extension',
  'serval:open-options': 'any',
};

export function isRequestMessage(value: unknown): value is RequestMessage {
  return typeof value === 'object' && value !== null && Object.hasOwn(MESSAGE_ORIGINS, (value as { type?: unknown }).type as string);
}

/** Sent by the popup to the content script of the active tab: offer the page's keys again. */
export const OFFER_AGAIN = 'serval:offer-again';
export type OfferAgainReply = { offered: number };
