import { describe, expect, it } from 'vitest';
import { ERRORS, errorBody, isErrorCode } from '../../shared/errors.js';
import { PERMISSIONS, PERMISSION_IDS, allPermissions, createRestrictedKeyUrl, missingPermissions, permissionForScope } from '../../shared/permissions.js';

describe('the permission catalogue', () => {
  it('has the five permissions Serval needs, each with a Stripe scope and a side-effect-free probe', () => {
    expect(PERMISSIONS.map((p) => p.id)).toEqual([...PERMISSION_IDS]);
    expect(PERMISSIONS.map((p) => p.scope)).toEqual([
      'rak_charge_read',
      'rak_customer_read',
      'rak_customer_write',
      'rak_balance_read',
      'rak_balance_transaction_source_read',
    ]);
    // The write probe updates a customer that cannot exist; it must never POST /v1/customers itself.
    const write = PERMISSIONS.find((p) => p.id === 'customers_write')!;
    expect(write.probe.method).toBe('POST');
    expect(write.probe.path).toMatch(/^\/v1\/customers\/cus_\w+$/);
  });

  it('lists what is missing, in catalogue order', () => {
    expect(missingPermissions({ ...allPermissions(true), balance_read: false, charges_read: false })).toEqual(['charges_read', 'balance_read']);
    expect(missingPermissions(allPermissions(true))).toEqual([]);
  });

  it('builds the pre-filled create-restricted-key links for test and live', () => {
    expect(createRestrictedKeyUrl('test')).toBe(
      'https://dashboard.stripe.com/test/apikeys/create?name=Serval&permissions[]=rak_charge_read&permissions[]=rak_customer_read&permissions[]=rak_customer_write&permissions[]=rak_balance_read&permissions[]=rak_balance_transaction_source_read',
    );
    expect(createRestrictedKeyUrl('live')).toMatch(/^https:\/\/dashboard\.stripe\.com\/apikeys\/create\?name=Serval&/);
  });

  it('maps Stripe scopes in either wording to our permissions', () => {
    expect(permissionForScope('rak_customer_write')).toBe('customers_write');
    expect(permissionForScope('customer_write')).toBe('customers_write');
    expect(permissionForScope('plan_read')).toBeNull();
  });
});

describe('the error catalogue', () => {
  it('covers every key outcome of the design with the right status', () => {
    expect(ERRORS.malformed_key.status).toBe(422);
    expect(ERRORS.publishable_key.status).toBe(422);
    expect(ERRORS.invalid_api_key.status).toBe(422);
    expect(ERRORS.expired_api_key.status).toBe(422);
    expect(ERRORS.stripe_unavailable.status).toBe(502);
    expect(ERRORS.stripe_rate_limited.status).toBe(503);
    expect(ERRORS.validation_failed.status).toBe(400);
    expect(ERRORS.payload_too_large.status).toBe(413);
    expect(ERRORS.stripe_permission_denied.status).toBe(403);
    expect(ERRORS.stripe_key_invalid.status).toBe(409);
    expect(ERRORS.malformed_key.hint).toContain('starts with sk_');
  });

  it('renders the documented shape, with overrides', () => {
    expect(errorBody('invalid_api_key')).toEqual({
      error: { code: 'invalid_api_key', message: ERRORS.invalid_api_key.message, hint: ERRORS.invalid_api_key.hint },
    });
    expect(errorBody('not_found', { details: { a: 1 } })).toEqual({ error: { code: 'not_found', message: 'Not found.', details: { a: 1 } } });
    expect(isErrorCode('stripe_unavailable')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
  });
});
