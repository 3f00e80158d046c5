/**
 * In-memory objects, per account. Test and live keys of one account share its data (simpler
 * than Stripe, which separates them); responses stamp `livemode` from the caller's key.
 */
import type Stripe from 'stripe';
import { newAccount, newBalanceTransaction, newCharge, newCustomer, type BalanceTransactionFields } from './objects.js';
import type { WireReply } from './wire.js';

interface Listable {
  id: string;
  created: number;
}

/**
 * Objects kept newest first, as Stripe lists them: by `created` descending, and among objects
 * created in the same second, the one inserted last first.
 */
export class Collection<T extends Listable> {
  private entries: Array<{ item: T; seq: number }> = [];
  private nextSeq = 0;
  private readonly byId = new Map<string, T>();

  insert(...items: T[]): void {
    for (const item of items) {
      this.entries.push({ item, seq: this.nextSeq++ });
      this.byId.set(item.id, item);
    }
    this.entries.sort((a, b) => b.item.created - a.item.created || b.seq - a.seq);
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** Newest first. The live objects: callers outside the server should get copies. */
  all(): T[] {
    return this.entries.map((e) => e.item);
  }

  get size(): number {
    return this.entries.length;
  }
}

export interface PageRequest<T> {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  filter: (item: T) => boolean;
}

export type Page<T> = { found: true; data: T[]; hasMore: boolean } | { found: false; cursorParam: 'starting_after' | 'ending_before'; cursor: string };

/**
 * Stripe's cursor pagination. The cursor is located in the unfiltered list (it only marks a
 * position); `ending_before` returns the `limit` objects just before it, still newest first.
 */
export function paginate<T extends Listable>(collection: Collection<T>, request: PageRequest<T>): Page<T> {
  const all = collection.all();
  let candidates: T[];
  let fromEnd = false;
  if (request.startingAfter !== undefined) {
    const index = all.findIndex((item) => item.id === request.startingAfter);
    if (index === -1) return { found: false, cursorParam: 'starting_after', cursor: request.startingAfter };
    candidates = all.slice(index + 1);
  } else if (request.endingBefore !== undefined) {
    const index = all.findIndex((item) => item.id === request.endingBefore);
    if (index === -1) return { found: false, cursorParam: 'ending_before', cursor: request.endingBefore };
    candidates = all.slice(0, index);
    fromEnd = true;
  } else {
    candidates = all;
  }
  candidates = candidates.filter(request.filter);
  const data = fromEnd ? candidates.slice(Math.max(0, candidates.length - request.limit)) : candidates.slice(0, request.limit);
  return { found: true, data, hasMore: candidates.length > request.limit };
}

/** A POST answered before, kept so a retry with the same Idempotency-Key gets the same answer. */
export interface IdempotentResult {
  method: string;
  path: string;
  body: string;
  reply: WireReply;
  requestId: string;
}

export class AccountData {
  readonly customers = new Collection<Stripe.Customer>();
  readonly charges = new Collection<Stripe.Charge>();
  readonly balanceTransactions = new Collection<Stripe.BalanceTransaction>();
  readonly idempotentResults = new Map<string, IdempotentResult>();
  readonly account: Stripe.Account;

  constructor(
    readonly accountId: string,
    name?: string,
  ) {
    this.account = newAccount(accountId, nowSeconds() - 90 * 24 * 3600, name);
  }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export interface SeedCounts {
  customers?: number;
  charges?: number;
  balanceTransactions?: number;
}

/** One object every 4 hours going back from now (so older balance transactions are already available); the last one seeded is the newest. */
const SEED_SPACING_SECONDS = 4 * 3600;

/** Types cycled through when seeding, mostly charges like a real account. */
const SEED_TRANSACTION_TYPES: Array<{ type: BalanceTransactionFields['type']; sign: 1 | -1 }> = [
  { type: 'charge', sign: 1 },
  { type: 'charge', sign: 1 },
  { type: 'refund', sign: -1 },
  { type: 'charge', sign: 1 },
  { type: 'payout', sign: -1 },
];

export class Store {
  private readonly accounts = new Map<string, AccountData>();

  /** A new account with this name (its Dashboard display name). */
  createAccount(accountId: string, name: string): AccountData {
    const data = new AccountData(accountId, name);
    this.accounts.set(accountId, data);
    return data;
  }

  account(accountId: string): AccountData {
    let data = this.accounts.get(accountId);
    if (!data) {
      data = new AccountData(accountId);
      this.accounts.set(accountId, data);
    }
    return data;
  }

  /**
   * Adds realistic objects older than now. Seeded customers are `Customer N` /
   * `customerN@example.com` (N counting on from earlier seeds); charges go round-robin to
   * existing customers.
   */
  seed(accountId: string, counts: SeedCounts): void {
    const data = this.account(accountId);
    const now = nowSeconds();
    const createdAt = (i: number, total: number) => now - (total - i) * SEED_SPACING_SECONDS;

    const customers = counts.customers ?? 0;
    const firstNumber = data.customers.size + 1;
    data.customers.insert(
      ...Array.from({ length: customers }, (_, i) =>
        newCustomer({
          created: createdAt(i, customers),
          name: `Customer ${firstNumber + i}`,
          email: `customer${firstNumber + i}@example.com`,
          metadata: { seeded: 'true' },
        }),
      ),
    );

    const charges = counts.charges ?? 0;
    const customerIds = data.customers.all().map((c) => c.id);
    data.charges.insert(
      ...Array.from({ length: charges }, (_, i) =>
        newCharge({
          created: createdAt(i, charges),
          amount: 1000 + ((i * 731) % 9000),
          customer: customerIds.length ? customerIds[i % customerIds.length]! : null,
          description: `Order #${1000 + i}`,
        }),
      ),
    );

    const transactions = counts.balanceTransactions ?? 0;
    data.balanceTransactions.insert(
      ...Array.from({ length: transactions }, (_, i) => {
        const { type, sign } = SEED_TRANSACTION_TYPES[i % SEED_TRANSACTION_TYPES.length]!;
        return newBalanceTransaction({ created: createdAt(i, transactions), type, amount: sign * (500 + ((i * 377) % 5000)) });
      }),
    );
  }
}
