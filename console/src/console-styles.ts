/**
 * The console's styles, after the shared design tokens (ui/tokens.ts), which give every
 * size and colour. Set as a constructed stylesheet (the CSP allows no inline <style>).
 * The verdict's rules come from ui/verdict-styles.ts, as in the offer card.
 * Works from 400 px wide (the navigation wraps) to 1280 px and beyond (the content stays readable).
 */
import { VERDICT_CSS } from '../../ui/verdict-styles';

export const CONSOLE_CSS = `:root { color-scheme: light dark; color: var(--serval-fg); background: var(--serval-bg); }
body { margin: 0; font: var(--serval-text-md)/var(--serval-leading) var(--serval-font); overflow-wrap: anywhere; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: var(--serval-space-2) var(--serval-space-4);
  padding: var(--serval-space-3) var(--serval-space-4); border-bottom: 1px solid var(--serval-line); }
.brand { font-weight: 700; font-size: var(--serval-text-lg); color: var(--serval-accent); }
.top nav ul { display: flex; flex-wrap: wrap; gap: var(--serval-space-3); list-style: none; margin: 0; padding: 0; }
.top nav a { text-decoration: none; font-weight: 600; padding: var(--serval-space-1) 0; }
.top nav a[aria-current="page"] { text-decoration: underline; text-underline-offset: 6px; text-decoration-thickness: 2px; }
.who { margin: 0 0 0 auto; font-size: var(--serval-text-sm); }
main, .sign-in { box-sizing: border-box; max-width: 880px; margin: 0 auto; padding: var(--serval-space-4) var(--serval-space-5); }
.sign-in { max-width: 480px; }
@media (max-width: 480px) { main, .sign-in { padding: var(--serval-space-3); } .top .who { margin-left: 0; } }
h1 { font-size: var(--serval-text-xl); line-height: 1.2; margin: var(--serval-space-2) 0 var(--serval-space-3); }
h2 { font-size: var(--serval-text-lg); margin: var(--serval-space-4) 0 var(--serval-space-2); }
h3 { font-size: var(--serval-text-md); margin: var(--serval-space-3) 0 var(--serval-space-2); }
p { margin: 6px 0; }
code { font: var(--serval-text-sm) var(--serval-font-mono); background: var(--serval-surface); padding: 0 var(--serval-space-1); border-radius: var(--serval-radius-sm); }
a { color: var(--serval-accent); }
.muted, .hint { color: var(--serval-muted); }
label { font-weight: 600; font-size: var(--serval-text-sm); }
input, select { font: inherit; color: inherit; background: var(--serval-field); border: 1px solid var(--serval-control);
  border-radius: var(--serval-radius); padding: 6px var(--serval-space-2); max-width: 100%; box-sizing: border-box; width: 420px; }
select { width: auto; }
button { font: inherit; cursor: pointer; border-radius: var(--serval-radius); padding: 6px var(--serval-space-3); }
.primary { background: var(--serval-accent); color: var(--serval-on-accent); border: 0; font-weight: 600; }
.secondary { background: transparent; color: inherit; border: 1px solid var(--serval-control); }
.danger { background: transparent; color: var(--serval-warn); border: 1px solid var(--serval-warn); }
button[disabled] { opacity: .6; cursor: progress; }
:focus-visible { outline: 3px solid var(--serval-focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: var(--serval-space-2); top: var(--serval-space-2); background: var(--serval-bg); padding: var(--serval-space-2); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.stack { display: flex; flex-direction: column; align-items: flex-start; gap: var(--serval-space-1); margin: var(--serval-space-3) 0; }
.row { display: flex; flex-wrap: wrap; gap: var(--serval-space-2); margin: var(--serval-space-3) 0; }
.page-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: var(--serval-space-2); }
.applications, .devices, .search-results, .audit, .people { list-style: none; padding: 0; margin: 0; }
.application, .device, .audit-event, .person { padding: var(--serval-space-2) 0; border-bottom: 1px solid var(--serval-line); }
.device, .person { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: var(--serval-space-2); }
.application-head { display: flex; flex-wrap: wrap; align-items: center; gap: var(--serval-space-1) var(--serval-space-2); }
.application-name { font-size: var(--serval-text-lg); font-weight: 600; }
.pill { display: inline-block; font-size: var(--serval-text-sm); font-weight: 600; border-radius: var(--serval-radius-pill);
  padding: 0 var(--serval-space-2); border: 1px solid var(--serval-line); }
.status-connected { color: var(--serval-ok); }
.status-missing_permissions, .status-invalid { color: var(--serval-warn); }
.mode-live { background: var(--serval-live); color: var(--serval-on-live); border-color: var(--serval-live); }
.mode-test { background: var(--serval-test-bg); color: var(--serval-test-fg); }
.this-browser, .role { color: var(--serval-accent); }
.state-disabled { color: var(--serval-warn); }
.person-controls { display: flex; flex-wrap: wrap; align-items: center; gap: var(--serval-space-2); }
.invite-person, .invite-link { border: 1px solid var(--serval-line); border-radius: var(--serval-radius); padding: var(--serval-space-3); margin: var(--serval-space-3) 0; }
.invite-person h2, .invite-link h2 { margin-top: 0; }
#invite-link { width: 100%; font-family: var(--serval-font-mono); }
.tabs { display: flex; flex-wrap: wrap; gap: var(--serval-space-1); border-bottom: 1px solid var(--serval-line); margin: var(--serval-space-3) 0; }
.tabs a { padding: var(--serval-space-2) var(--serval-space-3); text-decoration: none; color: inherit; border-bottom: 3px solid transparent; }
.tabs a[aria-selected="true"] { border-bottom-color: var(--serval-accent); font-weight: 600; }
.search-results { margin: var(--serval-space-2) 0; }
.error-message, .warn { color: var(--serval-warn); font-weight: 600; }
.error { margin: var(--serval-space-3) 0; }
.confirm { border: 1px solid var(--serval-warn); border-radius: var(--serval-radius); padding: var(--serval-space-3); margin: var(--serval-space-3) 0; }
.audit time { font-family: var(--serval-font-mono); font-size: var(--serval-text-sm); }
${VERDICT_CSS}`;
