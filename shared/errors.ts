/**
 * One catalogue of errors: code → HTTP status, message, hint. The server answers with it and
 * the extension shows it. Hints follow the Stripe integration guide's troubleshooting.
 */

export type ErrorSpec = { status: number; message: string; hint?: string };

export const ERRORS = {
  validation_failed: { status: 400, message: 'The request is not valid.', hint: 'See details for the fields to fix.' },
  unauthorized: {
    status: 401,
    message: 'This device is not paired, or its pairing was revoked.',
    hint: 'Pair again from the Serval extension options page with a fresh pairing code (npm run pair).',
  },
  pairing_code_invalid: {
    status: 401,
    message: 'That pairing code is wrong, expired or already used.',
    hint: 'Run `npm run pair` on the Serval backend for a fresh code; codes expire after 10 minutes.',
  },
  stripe_permission_denied: {
    status: 403,
    message: 'The stored Stripe key lacks a permission this request needs.',
    hint: 'Edit the restricted key in the Stripe Dashboard and grant the missing permission, then re-check.',
  },
  csrf_rejected: {
    status: 403,
    message: 'A request that changes something, signed in with the console cookie, must come from the console itself.',
    hint: "Use the console at this backend's own address, or send the device token as `Authorization: Bearer svl_…` instead of the cookie.",
  },
  forbidden: {
    status: 403,
    message: 'Your role does not allow this.',
    hint: 'Ask an admin of this Serval backend to do it, or to change your role.',
  },
  stripe_invalid_request: { status: 400, message: 'Stripe refused the request.', hint: 'See details for what Stripe said.' },
  not_found: { status: 404, message: 'Not found.' },
  stripe_resource_missing: { status: 404, message: 'Stripe has no such object.' },
  application_not_found: { status: 404, message: 'No application with that id.' },
  device_not_found: { status: 404, message: 'No paired device with that id.' },
  person_not_found: { status: 404, message: 'No person with that id.' },
  session_not_found: { status: 404, message: 'No active session with that id.' },
  alert_endpoint_not_found: { status: 404, message: 'No alert endpoint with that id.' },
  alert_url_insecure: {
    status: 400,
    message: 'An alert endpoint must use https:// (plain http:// only on this machine: localhost, 127.0.0.1, ::1), and no user name or password in the URL.',
    hint: 'Use the receiver’s https:// URL.',
  },
  alert_url_refused: {
    status: 400,
    message: 'That alert endpoint’s host is, or resolves to, a private, link-local or cloud-metadata address, or does not resolve at all.',
    hint: 'Use a receiver on the public internet. To send alerts inside a private network, set SERVAL_ALERTS_ALLOW_PRIVATE=1 on the backend.',
  },
  sso_not_configured: {
    status: 404,
    message: 'Single sign-on is not set up on this backend.',
    hint: 'Set SERVAL_OIDC_ISSUER, SERVAL_OIDC_CLIENT_ID and SERVAL_OIDC_CLIENT_SECRET, then restart it.',
  },
  last_admin: {
    status: 409,
    message: 'This is the last enabled admin: someone must stay able to manage this backend.',
    hint: 'Make another person an admin first.',
  },
  email_taken: { status: 409, message: 'Another person already has that e-mail address.' },
  invite_invalid: {
    status: 401,
    message: 'This invite link is wrong, expired or already used.',
    hint: 'Ask an admin for a new invite link (People → Invite person, or npm run invite).',
  },
  passkey_invalid: {
    status: 401,
    message: 'That passkey could not be verified, or it is not registered here.',
    hint: 'Try again, or sign in another way and add the passkey from an invite link.',
  },
  sso_failed: {
    status: 401,
    message: 'Single sign-on did not complete: the identity provider’s answer could not be verified.',
    hint: 'Start again with Sign in with SSO.',
  },
  sso_refused: {
    status: 403,
    message: 'Your identity provider signed you in, but no one here has that verified e-mail address.',
    hint: 'Ask an admin to add you (People → Invite person) with the e-mail address your identity provider uses.',
  },
  integration_not_found: {
    status: 404,
    message: 'This application has no Stripe integration.',
    hint: 'Connect Stripe first: send a key from the Stripe Dashboard with the Serval extension, or PUT one to /api/applications/{id}/integrations/stripe.',
  },
  stripe_key_invalid: {
    status: 409,
    message: 'Stripe no longer accepts the stored key.',
    hint: "Verify the key hasn't been deleted or rotated in the Stripe Dashboard, then connect a new one.",
  },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  host_not_allowed: {
    status: 421,
    message: 'This backend does not answer to that host name.',
    hint: 'Use http://127.0.0.1:<port> or http://localhost:<port>; to serve other names, set HOST to the interface to listen on.',
  },
  malformed_key: {
    status: 422,
    message: 'That does not look like a Stripe secret, restricted or organization key.',
    hint: 'Ensure you are using a secret key (starts with sk_), a restricted key (starts with rk_ or rkcs_) or an organization key (starts with sk_org_), copied whole.',
  },
  publishable_key: {
    status: 422,
    message: 'That is a publishable key (pk_…). It is meant for browsers and cannot be used by Serval.',
    hint: 'Use a restricted key (rk_…) with the permissions Serval needs, or a secret key (sk_…).',
  },
  invalid_api_key: {
    status: 422,
    message: 'Stripe does not recognise this key.',
    hint: "Verify the key hasn't been deleted or rotated, and check that you are using the right mode (test vs live).",
  },
  mode_mismatch: {
    status: 422,
    message: "This key's mode (test or live) is not the application's declared environment.",
    hint: "Check you're using the correct mode: switch the Stripe Dashboard's Test mode toggle and create the key there, or change the application's environment.",
  },
  stripe_account_required: {
    status: 422,
    message: 'This is an organization key (sk_org_…): it acts on whichever account of the organization a request names, and this application names none.',
    hint: 'Set the application\'s Stripe account first: PATCH /api/applications/{id} with {"stripeAccount": "acct_…"} (an admin), or create the application with it. The account id is in the Stripe Dashboard\'s account picker, or in the URL of the account\'s pages (dashboard.stripe.com/acct_…/…).',
  },
  stripe_account_inaccessible: {
    status: 422,
    message: "Stripe says this key cannot act on the application's Stripe account: the account is not in the key's organization, or does not exist.",
    hint: "Check the application's Stripe account (stripeAccount) against the accounts of your organization in the Stripe Dashboard, then send the key again.",
  },
  key_expiry_out_of_range: {
    status: 400,
    message: 'previousKeyExpiresAt must be between now and 7 days from now: Stripe keeps a rotated key working for at most 7 days.',
    hint: "Send the Expiration chosen in Stripe's Rotate dialog (Now, 1 hour, 24 hours, 3 days or 7 days) as an ISO time, or leave it out.",
  },
  expired_api_key: {
    status: 422,
    message: 'This key has expired.',
    hint: 'Create a new key in the Stripe Dashboard (or roll this one) and send the new key to Serval.',
  },
  key_access_restricted: {
    status: 422,
    message: "Stripe knows this key but refuses it for requests from this backend's address: the key is limited to certain IP addresses.",
    hint: "In Stripe → API keys → ⋯ → Manage IP restrictions, allow this backend's address",
  },
  sign_in_rate_limited: {
    status: 429,
    message: 'Too many failed sign-in attempts.',
    hint: 'Wait a minute, then try again.',
  },
  pairing_rate_limited: {
    status: 429,
    message: 'Too many pairing attempts.',
    hint: 'Wait a minute, then try again with a fresh code.',
  },
  internal_error: { status: 500, message: 'Something went wrong on the Serval backend.' },
  stripe_unavailable: {
    status: 502,
    message: 'Stripe could not be reached, or did not answer in time.',
    hint: 'Nothing was changed. Check status.stripe.com and try again in a moment.',
  },
  database_unavailable: {
    status: 503,
    message: 'The Serval backend cannot reach its database right now.',
    hint: 'Try again in a moment. If it keeps happening, check that PostgreSQL (DATABASE_URL) is up and reachable from the backend.',
  },
  stripe_rate_limited: {
    status: 503,
    message: 'Stripe is rate limiting requests for this account.',
    hint: 'Nothing was changed. Try again after the time given in Retry-After.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export type ApiErrorBody = {
  error: { code: ErrorCode; message: string; hint?: string; details?: unknown };
};

export function errorBody(code: ErrorCode, overrides: { message?: string; hint?: string; details?: unknown } = {}): ApiErrorBody {
  const spec: ErrorSpec = ERRORS[code];
  const hint = overrides.hint ?? spec.hint;
  return {
    error: {
      code,
      message: overrides.message ?? spec.message,
      ...(hint ? { hint } : {}),
      ...(overrides.details !== undefined ? { details: overrides.details } : {}),
    },
  };
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}
