/**
 * Which Stripe Dashboard page a URL is. Pure: fed a URL, no DOM, no browser APIs.
 *
 * The API keys page has lived at `/apikeys` and `/test/apikeys`, under an account prefix
 * (`/acct_…/apikeys`, `/acct_…/test/apikeys`) when a user switches accounts, and — since the
 * Developers Dashboard became Workbench — under `/workbench/apikeys` and `/developers/apikeys`.
 * Its create and edit pages (`/apikeys/create`, `/apikeys/rk_…/edit`) reveal keys too.
 *
 * An organization's keys (`sk_org_…`) have their own page, in the organization's Dashboard:
 * `/org/api-keys/secret` ("Create and manage organization API keys on the API keys tab of your
 * organization's Dashboard", docs.stripe.com/keys/organization-api-keys). It belongs to no one
 * account and no one mode: an organization key works in sandboxes and live mode alike.
 */
import type { KeyMode } from '../../shared/keys.js';

export type StripePage = { kind: 'apikeys'; mode: KeyMode; accountId: string | null } | { kind: 'organization-apikeys'; mode: null; accountId: null };

export const DASHBOARD_HOST = 'dashboard.stripe.com';

const ACCOUNT_SEGMENT = /^acct_[A-Za-z0-9]+$/;
const TEST_SEGMENTS = new Set(['test', 'sandbox']);
const SECTION_SEGMENTS = new Set(['workbench', 'developers']);

export function recognizeStripePage(input: string | URL): StripePage | null {
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input) : input;
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.hostname !== DASHBOARD_HOST) return null;

  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments[0] === 'org' && segments[1] === 'api-keys') return { kind: 'organization-apikeys', mode: null, accountId: null };
  let i = 0;
  let accountId: string | null = null;
  if (ACCOUNT_SEGMENT.test(segments[i] ?? '')) accountId = segments[i++];
  let mode: KeyMode = 'live';
  if (TEST_SEGMENTS.has(segments[i])) {
    mode = 'test';
    i++;
  }
  if (SECTION_SEGMENTS.has(segments[i])) i++;
  if (segments[i] !== 'apikeys') return null;
  return { kind: 'apikeys', mode, accountId };
}
