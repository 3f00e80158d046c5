/**
 * The popup's and the options page's styles, after the shared tokens (ui/tokens.ts), which give every
 * size and colour used here.
 */
export const PAGE_CSS = `:root { color-scheme: light dark; color: var(--serval-fg); background: var(--serval-bg); }
/* On body, not only :root: Chromium's own stylesheet for extension pages sets body { font-size: 75% }. */
body { margin: 0; font: var(--serval-text-md)/var(--serval-leading) var(--serval-font); overflow-wrap: anywhere; }
.serval { box-sizing: border-box; padding: var(--serval-space-4); }
/* 400 px when the popup sizes itself to its content; narrower when the window is (320 px and up). */
.serval-popup { width: 400px; max-width: 100%; }
.serval-options { max-width: 720px; margin: 0 auto; padding: var(--serval-space-4) var(--serval-space-5); }
h1 { font-size: var(--serval-text-xl); line-height: 1.2; margin: 0 0 var(--serval-space-3); color: var(--serval-accent); }
h2 { font-size: var(--serval-text-lg); line-height: 1.3; margin: var(--serval-space-4) 0 var(--serval-space-2); }
section { border-top: 1px solid var(--serval-line); }
p { margin: 6px 0; }
code { font: var(--serval-text-sm) var(--serval-font-mono); }
.muted, .hint { color: var(--serval-muted); }
.pairing { display: flex; flex-direction: column; gap: 6px; max-width: 420px; }
label { font-weight: 600; font-size: var(--serval-text-sm); }
input, select { font: inherit; color: inherit; background: var(--serval-field); border: 1px solid var(--serval-control);
  border-radius: var(--serval-radius); padding: 6px var(--serval-space-2); max-width: 100%; box-sizing: border-box; }
button { font: inherit; cursor: pointer; border-radius: var(--serval-radius); padding: 6px var(--serval-space-3); }
.primary { background: var(--serval-accent); color: var(--serval-on-accent); border: 0; font-weight: 600; padding: var(--serval-space-2) var(--serval-space-3); }
.secondary { background: transparent; color: inherit; border: 1px solid var(--serval-control); }
.danger { background: transparent; color: var(--serval-warn); border: 1px solid var(--serval-warn); }
.link { background: none; border: 0; color: var(--serval-accent); text-decoration: underline; padding: 0; }
button[disabled] { opacity: .6; cursor: progress; }
:focus-visible { outline: 3px solid var(--serval-focus); outline-offset: 2px; }
a { color: var(--serval-accent); }
.error-message, .warn { color: var(--serval-warn); font-weight: 600; }
.notice { color: var(--serval-warn); }
.reachable { color: var(--serval-ok); font-weight: 600; }
.applications, .links { list-style: none; padding: 0; margin: 0; }
.application { padding: var(--serval-space-2) 0; border-bottom: 1px solid var(--serval-line); }
.application-head { display: flex; flex-wrap: wrap; align-items: center; gap: var(--serval-space-1) var(--serval-space-2); }
/* An application's name: at least as prominent as the pills beside it. */
.application-name { font-size: var(--serval-text-lg); font-weight: 600; line-height: 1.3; margin: 0; }
.pill { display: inline-block; font-size: var(--serval-text-sm); font-weight: 600; border-radius: var(--serval-radius-pill);
  padding: 0 var(--serval-space-2); border: 1px solid var(--serval-line); }
.status-connected { color: var(--serval-ok); }
.status-missing_permissions, .status-invalid, .rotation-due, .key-expiring { color: var(--serval-warn); }
.mode-live { background: var(--serval-live); color: var(--serval-on-live); border-color: var(--serval-live); }
.field { display: flex; flex-direction: column; gap: var(--serval-space-1); margin-top: 10px; }
.actions { display: flex; justify-content: space-between; align-items: center; gap: var(--serval-space-2); margin-top: var(--serval-space-4); }
`;
