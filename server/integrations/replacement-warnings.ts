/**
 * What a person should hear about when a key is connected over another, or while other
 * applications hold keys of the same account. Pure: the service looks the rows up, these decide
 * what to say.
 */
import type { Warning } from '../../shared/api.js';
import type { IntegrationRow } from '../db/repositories.js';

type Keyed = Pick<IntegrationRow, 'accountId' | 'mode'> & Partial<Pick<IntegrationRow, 'accountName'>>;

/** `"Sandbox B" (acct_2)`, or the id alone when Stripe gave no name: which sandbox, not only which id. */
export function accountLabel(account: { accountId: string; accountName?: string | null }): string {
  return account.accountName ? `"${account.accountName}" (${account.accountId})` : account.accountId;
}
type OtherApplication = { applicationId: string; applicationName: string; maskedKey: string };

/** A replacement that moved to another Stripe account or to the other mode. */
export function replacementWarnings(previous: Keyed | undefined, next: Keyed): Warning[] {
  if (!previous) return [];
  const warnings: Warning[] = [];
  if (previous.accountId && next.accountId && previous.accountId !== next.accountId) {
    warnings.push({
      code: 'account_changed',
      message: `The new key belongs to Stripe account ${accountLabel({ accountId: next.accountId, accountName: next.accountName })}; the key it replaced belonged to ${accountLabel({ accountId: previous.accountId, accountName: previous.accountName })}.`,
      details: {
        previous: { accountId: previous.accountId, accountName: previous.accountName ?? null },
        next: { accountId: next.accountId, accountName: next.accountName ?? null },
      },
    });
  }
  if (previous.mode !== next.mode) {
    warnings.push({ code: 'mode_changed', message: `The new key is a ${next.mode} key; the key it replaced was a ${previous.mode} key.` });
  }
  return warnings;
}

/** The very same key is also stored for another application. */
export function keyReusedWarning(other: Pick<OtherApplication, 'applicationId' | 'applicationName'>): Warning {
  return { code: 'key_reused', message: `This key is also connected to the application "${other.applicationName}" (${other.applicationId}).` };
}

/**
 * Other applications still hold an older key of the same account and mode: after a rotation in
 * the Stripe Dashboard, these still need the new key (POST /api/stripe/rotate).
 */
export function usedElsewhereWarning(key: { accountId: string; accountName?: string | null; mode: string }, others: OtherApplication[]): Warning | null {
  if (others.length === 0) return null;
  const one = others.length === 1;
  const names = others.map((o) => `"${o.applicationName}"`).join(', ');
  return {
    code: 'account_used_elsewhere',
    message: `${one ? 'Another application' : `${others.length} other applications`} (${names}) still use${one ? 's' : ''} an older key of Stripe account ${accountLabel(key)} in ${key.mode} mode: update ${one ? 'it' : 'them'} with this key too.`,
    details: { applications: others.map((o) => ({ id: o.applicationId, name: o.applicationName, maskedKey: o.maskedKey })) },
  };
}
