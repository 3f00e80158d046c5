/**
 * An application's Stripe integration as the console shows it: connected (type, mode, masked key,
 * account), missing permissions with the two links that fix it, or the stored key's last error.
 * The words come from extension/ui/labels.ts, the same as the card's and the popup's.
 */
import type { Integration, Warning } from '../../shared/api.js';
import { apiKeysPageUrl, createRestrictedKeyUrl } from '../../shared/permissions.js';
import { formatTime, keyTypeLabel, LIVE_MODE_WARNING, modeLabel, permissionLabels, statusLabel } from '../../extension/ui/labels';

export function StatusPill({ integration }: { integration: Integration | null }) {
  const status = integration?.status ?? 'none';
  return <span class={`pill status-${status}`}>{statusLabel(status)}</span>;
}

/** Warnings this view already says in its own words: the live badge and the missing list. */
const SHOWN_ELSEWHERE = new Set(['live_mode', 'missing_permissions']);

export function IntegrationVerdict({ integration, warnings: all = [] }: { integration: Integration; warnings?: Warning[] }) {
  const warnings = all.filter((warning) => !SHOWN_ELSEWHERE.has(warning.code));
  return (
    <div class={`verdict verdict-${integration.status}`}>
      <p>
        <StatusPill integration={integration} />
      </p>
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
        <dd>{integration.accountId ? <code>{integration.accountId}</code> : 'unknown'}</dd>
        <dt>Last check</dt>
        <dd>{formatTime(integration.lastValidatedAt)}</dd>
      </dl>
      {integration.status === 'missing_permissions' && (
        <div class="missing">
          <p class="warn">The key is missing permissions Serval needs:</p>
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
            , then save the new key here.
          </p>
        </div>
      )}
      {(integration.status === 'invalid' || integration.status === 'unverified') && integration.lastError && (
        <p class="warn">{integration.lastError.message}</p>
      )}
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
