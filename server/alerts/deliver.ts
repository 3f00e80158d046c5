/**
 * One attempt to deliver an alert: resolve the endpoint's host, judge every address it resolves to
 * (./address.ts), and POST to the judged address only — the connection's own lookup is pinned to
 * it, so a name that resolves elsewhere a moment later (DNS rebinding) changes nothing. A refused
 * address is refused before any connection is made. No redirect is followed; at most 4 KiB of the
 * answer is read; the whole attempt has 10 s.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import net from 'node:net';
import { AlertUrlError, hostOf, judgeAddress } from './address.js';

export type ResolvedAddress = { address: string; family: number };
/** Finds a host's addresses: the system's resolver, or a test's stub. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

export const ATTEMPT_TIMEOUT_MS = 10_000;
export const ANSWER_LIMIT_BYTES = 4096;

/** The address to connect to: every address the host resolves to must pass, or none is used. */
export async function resolveTarget(url: URL, resolver: Resolver, allowPrivate: boolean): Promise<ResolvedAddress> {
  const host = hostOf(url);
  const literal = net.isIP(host);
  if (literal) {
    judgeAddress(host, host, allowPrivate);
    return { address: host, family: literal };
  }
  let found: ResolvedAddress[];
  try {
    found = await resolver(host);
  } catch {
    found = [];
  }
  if (found.length === 0) throw new AlertUrlError('alert_url_refused', `${host} does not resolve.`);
  for (const { address } of found) judgeAddress(host, address, allowPrivate);
  return found[0];
}

export type AttemptResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** The first characters of an answer, printable, for the delivery log. */
function snippet(bytes: Buffer): string {
  const text = bytes
    .toString('utf8')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** POSTs `body` to `url`, connecting to `target` only. Never throws: every way it can end is a result. */
export function post(input: {
  url: URL;
  target: ResolvedAddress;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  timeoutMs?: number;
}): Promise<AttemptResult> {
  const { url, target, body, signal } = input;
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const request = transport.request(url, {
      method: 'POST',
      headers: { ...input.headers, 'Content-Length': String(Buffer.byteLength(body)) },
      lookup: pinned,
      agent: false,
      signal,
    });
    const timer = setTimeout(
      () => finish({ ok: false, status: null, error: `no answer within ${(input.timeoutMs ?? ATTEMPT_TIMEOUT_MS) / 1000} s` }),
      input.timeoutMs ?? ATTEMPT_TIMEOUT_MS,
    );
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, status: null, error: signal.aborted ? 'stopped' : `connection failed: ${error.code ?? error.message}` }),
    );
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      // A 2xx is delivered as soon as its status line arrives: the body is nobody's business.
      if (status >= 200 && status < 300) return finish({ ok: true, status });
      if (status >= 300 && status < 400) return finish({ ok: false, status, error: `HTTP ${status}: redirects are not followed` });
      const chunks: Buffer[] = [];
      let read = 0;
      const done = () => {
        const answer = snippet(Buffer.concat(chunks));
        finish({ ok: false, status, error: `HTTP ${status}${answer ? `: ${answer}` : ''}` });
      };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk.subarray(0, Math.max(0, ANSWER_LIMIT_BYTES - read)));
        read += chunk.length;
        if (read >= ANSWER_LIMIT_BYTES) done(); // enough: the rest is never read
      });
      response.on('end', done);
      response.on('error', done);
    });
    request.end(body);
  });
}
