/**
 * The verdict on a Stripe integration: connected, missing permissions with the two links that fix
 * them, or the key's error with the integration guide's hint; then rotation due and the check's
 * warnings. The offer card shows it after Send to Serval, the console after Save and on an
 * application's page: one component, so that a key reads the same wherever it was sent from. Its
 * input is what the API answers, `{integration, validation}`; the other props are only what the
 * two callers know differently. Styled by VERDICT_CSS (verdict-styles.ts), which both put in their stylesheet.
 */
import type { Integration, Validation } from '../shared/api.js';
import { apiKeysPageUrl, createRestrictedKeyUrl, PERMISSIONS } from '../shared/permissions.js';
import { hintFor } from './errors';
import { accountLabel, formatTime, keyTypeLabel, LIVE_MODE_WARNING, modeLabel, permissionLabels, statusLabel } from './labels';
import { StatusPill } from './StatusPill';

export type VerdictProps = {
  integration: Integration;
  /** The check behind it; null for a stored integration shown without a fresh check (no warnings to show then). */
  validation: Validation | null;
  /**
   * The application the key was just sent to: the verdict then says in a sentence what became of
   * it ("Connected to Billing."). Without it, a status pill heads the verdict.
   */
  applicationName?: string;
  /** List the key's facts: type, mode (with the live warning), masked key, account, last check. */
  facts?: boolean;
  /** How the fixed key gets to Serval: the end of "Edit … or create …, then send the new key." */
  newKeyStep: string;
  /** The account the Stripe Dashboard shows, when known: a key of another account is said first. */
  dashboardAccountId?: string | null;
  /** Codes of warnings the caller already says in its own words, outside the verdict. */
  saidElsewhere?: ReadonlySet<string>;
};

export function Verdict({ integration, validation, applicationName, facts = false, newKeyStep, dashboardAccountId, saidElsewhere }: VerdictProps) {
  const { status, lastError } = integration;
  // The verdict lists the missing permissions itself, and the facts carry the live warning.
  const warnings = (validation?.warnings ?? []).filter(
    (w) => w.code !== 'missing_permissions' && !(facts && w.code === 'live_mode') && !saidElsewhere?.has(w.code),
  );
  const keyAccount = validation?.accountId;
  const otherAccount = dashboardAccountId && keyAccount && keyAccount !== dashboardAccountId;
  const errorHint = lastError && (status === 'invalid' || status === 'unverified') ? hintFor(lastError) : undefined;
  return (
    <div class={`verdict verdict-${status}`}>
      {otherAccount && (
        <p class="warn account-mismatch">
          This key belongs to Stripe account {keyAccount}, not {dashboardAccountId} shown in the dashboard. Check that it is the account you meant to connect to{' '}
          {applicationName ?? 'this application'}.
        </p>
      )}
      {applicationName === undefined && (
        <p>
          <StatusPill integration={integration} />
        </p>
      )}
      {facts && <KeyFacts integration={integration} />}
      {status === 'connected' && applicationName !== undefined && (
        <>
          <p class="ok">
            Connected to {applicationName}. Stripe accepted the key{integration.accountId ? ` for ${accountLabel(integration)}` : ''}.
          </p>
          <p class="muted">
            Permissions:{' '}
            {PERMISSIONS.filter((p) => integration.permissions[p.id])
              .map((p) => p.label)
              .join(', ')}
            .
          </p>
        </>
      )}
      {status === 'missing_permissions' && (
        <div class="missing">
          <p class="warn">{applicationName === undefined ? 'The key is' : `Stored in ${applicationName}, but the key is`} missing permissions Serval needs:</p>
          <ul>
            {permissionLabels(integration.missingPermissions).map((label) => (
              <li key={label}>{label}</li>
            ))}
          </ul>
          <p>
            <a href={apiKeysPageUrl(integration.mode)} target="_blank" rel="noopener noreferrer">
              Edit the key's permissions in Stripe
            </a>{' '}
            or{' '}
            <a href={createRestrictedKeyUrl(integration.mode)} target="_blank" rel="noopener noreferrer">
              create a restricted key with Serval's permissions
            </a>
            , then {newKeyStep}.
          </p>
        </div>
      )}
      {(status === 'invalid' || status === 'unverified') && (applicationName !== undefined || lastError) && (
        <p class="warn">
          {applicationName === undefined
            ? lastError?.message
            : `Stored in ${applicationName}: ${statusLabel(status).toLowerCase()}${lastError ? `: ${lastError.message}` : '.'}`}
        </p>
      )}
      {errorHint && <p class="hint">{errorHint}</p>}
      {integration.rotationDue && <p class="warn">This key is due for rotation.</p>}
      {warnings.length > 0 && (
        <ul class="warnings">
          {warnings.map((warning) => (
            <li key={warning.code}>{warning.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function KeyFacts({ integration }: { integration: Integration }) {
  return (
    <dl class="facts">
      <dt>Type</dt>
      <dd>{keyTypeLabel(integration.keyType)}</dd>
      <dt>Mode</dt>
      <dd>
        <span class={`pill mode-${integration.mode}`}>{modeLabel(integration.mode)}</span>
        {integration.mode === 'live' && <span class="warn"> {LIVE_MODE_WARNING}</span>}
      </dd>
      <dt>Key</dt>
      <dd>
        <code>{integration.maskedKey}</code>
      </dd>
      <dt>Account</dt>
      <dd>
        {integration.accountName && <span class="account-name">{integration.accountName} </span>}
        {integration.accountId ? <code>{integration.accountId}</code> : !integration.accountName && 'unknown'}
      </dd>
      {integration.keyExpiresAt && (
        <>
          <dt>Stops working</dt>
          <dd class="warn">{formatTime(integration.keyExpiresAt)}</dd>
        </>
      )}
      <dt>Last check</dt>
      <dd>{formatTime(integration.lastValidatedAt)}</dd>
    </dl>
  );
}
