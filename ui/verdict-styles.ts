/**
 * The verdict's styles (Verdict.tsx), for every stylesheet that shows it: the offer card's (in its
 * shadow root) and the console's. Scoped to `.verdict`, so that it looks the same in both
 * whatever else each stylesheet says; sizes and colours come from the shared tokens (tokens.ts).
 */
export const VERDICT_CSS = `
.verdict p { margin: 6px 0; }
.verdict .ok { color: var(--serval-ok); font-weight: 600; }
.verdict .warn { color: var(--serval-warn); font-weight: 600; }
.verdict .muted, .verdict .hint { color: var(--serval-muted); font-weight: 400; }
.verdict ul { margin: var(--serval-space-1) 0; padding-left: 20px; }
.verdict .pill { display: inline-block; font-size: var(--serval-text-sm); font-weight: 600; border-radius: var(--serval-radius-pill);
  padding: 0 var(--serval-space-2); border: 1px solid var(--serval-line); }
.verdict .status-connected { color: var(--serval-ok); }
.verdict .status-missing_permissions, .verdict .status-invalid { color: var(--serval-warn); }
.verdict .mode-live { background: var(--serval-live); color: var(--serval-on-live); border-color: var(--serval-live); }
.verdict .mode-test { background: var(--serval-test-bg); color: var(--serval-test-fg); }
.verdict .facts { display: grid; grid-template-columns: max-content 1fr; gap: var(--serval-space-1) var(--serval-space-3);
  margin: var(--serval-space-2) 0; }
.verdict .facts dt { color: var(--serval-muted); }
.verdict .facts dd { margin: 0; }
`;
