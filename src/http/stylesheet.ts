// The console's one stylesheet (docs/DESIGN.md is its contract: tokens, layout, component
// classes). Served by src/routes/static.ts as /static/app.css so the CSP stays `style-src 'self'`.
// Breakpoints: the sidebar from 900 px, low-priority table columns from 1100 px, table rows as
// cards below 700 px. Text colours are chosen for WCAG AA on both --surface and --canvas.
export const stylesheet = `
:root {
  --space-1: 4px; --space-2: 8px; --space-3: 12px; --space-4: 16px; --space-5: 24px; --space-6: 32px;
  --text-sm: 0.8125rem; --text-table: 0.875rem; --text-base: 0.9375rem; --text-lg: 1.0625rem; --text-xl: 1.25rem; --text-2xl: 1.5rem;
  --fg: #16181d; --muted: #5a6270; --line: #e4e7ec; --line-strong: #c5cbd4; --control: #8b939f;
  --surface: #fff; --canvas: #f6f7f9; --subtle: #f9fafb;
  --accent: #4338ca; --accent-hover: #3730a3; --accent-bg: #eef0ff;
  --ok: #166534; --ok-bg: #e3f6e8; --warn: #844600; --warn-bg: #fdf1d6;
  --danger: #b42318; --danger-bg: #fdecea; --info: #1d4ed8; --info-bg: #e6eefc;
  --neutral: #3f4652; --neutral-bg: #eef0f3;
  --radius: 8px; --radius-sm: 6px; --shadow: 0 1px 2px rgba(16, 24, 40, 0.05);
  --focus: 0 0 0 3px #a5b4fc;
  --sidebar-width: 220px; --control-height: 2.5rem;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: var(--text-base)/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif;
  color: var(--fg); background: var(--canvas); overflow-wrap: break-word; }
a { color: var(--accent); text-underline-offset: 2px; }
a:hover { color: var(--accent-hover); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
input:focus-visible, select:focus-visible, textarea:focus-visible { outline: none; border-color: var(--accent); box-shadow: var(--focus); }
img, svg { max-width: 100%; }
pre { overflow-x: auto; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip-link { position: absolute; left: -9999px; }
.skip-link:focus { left: var(--space-2); top: var(--space-2); background: var(--surface); padding: var(--space-1) var(--space-2); z-index: 10; }

/* Layout: sidebar from 900 px, a top bar with a <details> menu below. */
.shell { min-height: 100vh; }
.brand { display: inline-flex; align-items: center; gap: var(--space-2); font-weight: 700; font-size: var(--text-lg); color: var(--fg); text-decoration: none; }
.brand:hover { color: var(--fg); }
.brand-mark { display: inline-block; width: 22px; height: 22px; border-radius: 6px; background: var(--accent); }
.nav-list { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 2px; }
.nav-list a { display: block; padding: 6px 10px; border-radius: var(--radius-sm); color: var(--neutral); text-decoration: none; font-weight: 500; }
.nav-list a:hover { background: var(--neutral-bg); color: var(--fg); }
.nav-list a[aria-current="page"] { background: var(--accent-bg); color: var(--accent-hover); font-weight: 600; }
.signed-in { display: flex; flex-direction: column; gap: var(--space-1); padding-top: var(--space-3); border-top: 1px solid var(--line); }
.signed-in .user-name { font-weight: 600; color: var(--fg); text-decoration: none; overflow-wrap: anywhere; }
.signed-in .user-name:hover { text-decoration: underline; }
.signed-in .role { font-size: var(--text-sm); color: var(--muted); }
.signed-in form { margin: 0; }
.sidebar { display: none; }
.topbar { display: flex; align-items: center; justify-content: space-between; gap: var(--space-3); padding: var(--space-2) var(--space-4);
  background: var(--surface); border-bottom: 1px solid var(--line); position: relative; }
.menu > summary { list-style: none; cursor: pointer; display: inline-flex; align-items: center; gap: var(--space-2);
  padding: 6px 12px; border: 1px solid var(--line-strong); border-radius: var(--radius-sm); font-weight: 600; background: var(--surface); }
.menu > summary::-webkit-details-marker { display: none; }
.menu > summary::before { content: ""; width: 14px; height: 10px; border-top: 2px solid currentColor; border-bottom: 2px solid currentColor;
  background: linear-gradient(currentColor, currentColor) center / 100% 2px no-repeat; }
.menu[open] > summary { background: var(--neutral-bg); }
.menu-panel { position: absolute; left: 0; right: 0; top: 100%; z-index: 20; background: var(--surface); border-bottom: 1px solid var(--line);
  box-shadow: 0 8px 16px rgba(16, 24, 40, 0.08); padding: var(--space-3) var(--space-4) var(--space-4); display: flex; flex-direction: column; gap: var(--space-3); }
main { display: block; min-width: 0; padding: var(--space-5) var(--space-4) var(--space-6); }
@media (min-width: 900px) {
  /* The sidebar's white runs the page's full height, also in a full-page screenshot. */
  .shell { display: grid; grid-template-columns: var(--sidebar-width) minmax(0, 1fr);
    background: linear-gradient(90deg, var(--surface) calc(var(--sidebar-width) - 1px), var(--line) 0 var(--sidebar-width), var(--canvas) 0); }
  .topbar { display: none; }
  .sidebar { display: flex; flex-direction: column; gap: var(--space-5); position: sticky; top: 0; height: 100vh; overflow-y: auto;
    padding: var(--space-5) var(--space-4); background: var(--surface); border-right: 1px solid var(--line); }
  .sidebar nav { flex: 1; }
  main { padding: var(--space-6) var(--space-6) var(--space-6); }
}
/* Sign-in and setup: one centred card. */
.public-shell { min-height: 100vh; display: flex; flex-direction: column; align-items: center; padding: var(--space-6) var(--space-4); }
.public-shell > .brand { margin-bottom: var(--space-5); }
.public-shell main { width: 100%; max-width: 480px; padding: var(--space-5); background: var(--surface); border: 1px solid var(--line);
  border-radius: var(--radius); box-shadow: var(--shadow); }
.public-shell main h1 { font-size: var(--text-xl); }
.public-shell .narrow { max-width: none; }

/* Disclosures in a page ("Post an update"): a quiet button that opens the form under it. */
main details:not(.menu) { margin: 0 0 var(--space-4); }
main details:not(.menu) > summary { display: inline-flex; align-items: center; gap: var(--space-2); cursor: pointer; padding: 6px 12px;
  border: 1px solid var(--line-strong); border-radius: var(--radius-sm); background: var(--surface); font-weight: 500; }
main details:not(.menu) > summary:hover { background: var(--subtle); }
main details[open]:not(.menu) > summary { margin-bottom: var(--space-3); }

/* Type */
h1, h2, h3 { line-height: 1.25; color: var(--fg); overflow-wrap: anywhere; }
h1 { font-size: var(--text-2xl); font-weight: 650; margin: 0 0 var(--space-5); letter-spacing: -0.01em; }
h2 { font-size: var(--text-lg); font-weight: 600; margin: var(--space-6) 0 var(--space-3); }
h3 { font-size: var(--text-base); font-weight: 600; margin: var(--space-5) 0 var(--space-2); }
p { margin: 0 0 var(--space-3); }
.hint, .muted { color: var(--muted); font-size: var(--text-sm); margin: 0; }
p.muted { margin-bottom: var(--space-3); }
.page-heading { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: var(--space-3); margin-bottom: var(--space-5); }
.page-heading h1 { margin: 0; }
.page-heading > * { min-width: 0; }
.page-heading p { margin: var(--space-1) 0 0; }
.actions, .button-row, .form-actions { display: flex; flex-wrap: wrap; gap: var(--space-2); align-items: center; }
.form-actions { margin: var(--space-4) 0; }
.public-shell .form-actions > button[type="submit"] { flex: 1; }
.button-row { margin: var(--space-3) 0; }
.narrow { max-width: 560px; }
section { min-width: 0; }

/* Buttons */
button, .button { font: inherit; font-size: var(--text-base); font-weight: 500; line-height: 1.4; display: inline-flex; align-items: center; justify-content: center;
  gap: var(--space-1); padding: 7px 14px; border-radius: var(--radius-sm); border: 1px solid var(--accent); background: var(--accent); color: #fff;
  cursor: pointer; text-decoration: none; box-shadow: var(--shadow); max-width: 100%; text-align: center; overflow-wrap: anywhere; }
button:hover, .button:hover { background: var(--accent-hover); border-color: var(--accent-hover); color: #fff; }
button.secondary, .button.secondary { background: var(--surface); color: var(--fg); border-color: var(--line-strong); }
button.secondary:hover, .button.secondary:hover { background: var(--subtle); color: var(--fg); border-color: var(--control); }
button.danger, .button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
button.danger:hover, .button.danger:hover { background: #912018; border-color: #912018; }
button.quiet, .button.quiet, .link-button { background: none; border-color: transparent; color: var(--accent); box-shadow: none; padding-left: 6px; padding-right: 6px; }
button.quiet:hover, .button.quiet:hover, .link-button:hover { background: var(--accent-bg); color: var(--accent-hover); border-color: transparent; }
button.small, .button.small { font-size: var(--text-sm); padding: 3px 10px; }
button[hidden] { display: none; }
form.inline { display: inline-block; margin: 0; vertical-align: middle; }
/* Buttons that sit side by side outside a flex row never touch (nor a link beside them). */
:is(button, .button, form.inline) + :is(a, button, .button, form.inline), a + :is(button, .button, form.inline) { margin-left: var(--space-2); }
:is(.actions, .button-row, .form-actions, .cell-actions, .copy-row, .filters, .page-heading) > :is(a, button, .button, form.inline) { margin-left: 0; }

/* Forms */
.field { margin: 0 0 var(--space-4); display: flex; flex-direction: column; gap: var(--space-1); max-width: 520px; min-width: 0; }
label, legend { font-weight: 600; font-size: var(--text-sm); }
input, select, textarea { font: inherit; font-size: var(--text-base); padding: 0 10px; height: var(--control-height); border: 1px solid var(--control); border-radius: var(--radius-sm);
  background: var(--surface); color: var(--fg); max-width: 100%; min-width: 0; }
input[type="checkbox"], input[type="radio"] { width: 16px; height: 16px; padding: 0; accent-color: var(--accent); }
textarea { min-height: 120px; height: auto; padding: 8px 10px; }
/* A checkbox's label reads as a choice, not a field's title. */
input[type="checkbox"] + label, input[type="radio"] + label { font-weight: 400; font-size: var(--text-base); }
fieldset > div:has(> input[type="checkbox"]) { padding: 2px 0; }
.has-error input, .has-error select, .has-error textarea { border-color: var(--danger); box-shadow: 0 0 0 1px var(--danger); }
.error { color: var(--danger); margin: 0; font-weight: 600; font-size: var(--text-sm); }
fieldset { border: 1px solid var(--line); border-radius: var(--radius); margin: 0 0 var(--space-4); padding: var(--space-3) var(--space-4); min-width: 0; background: var(--surface); }
.membership-row { display: flex; flex-wrap: wrap; gap: var(--space-3); align-items: flex-end; }
fieldset > .membership-row + .membership-row { margin-top: var(--space-4); padding-top: var(--space-3); border-top: 1px solid var(--line); }
.membership-row > .field { margin: 0; flex: 1 1 12rem; }
.membership-row > .error { flex-basis: 100%; }
.membership-row + :is(button, .button, .form-actions) { margin-top: var(--space-4); }
/* Labels on one line, controls on the next, hints and errors under the controls: everything lines up. */
.filters { display: flex; flex-wrap: wrap; gap: var(--space-3); align-items: flex-start; margin: 0 0 var(--space-4); padding: var(--space-3) var(--space-4);
  background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); }
.filters .field { margin: 0; min-width: 10rem; flex: 0 1 13rem; }
.filters .field > label { line-height: 1.55; }
.filters .field > .hint, .filters .field > .error { order: 3; }
.filters > button, .filters > .button, .filters > .button-row { margin: calc(var(--text-sm) * 1.55 + var(--space-1)) 0 0; height: var(--control-height); }
@media (max-width: 699.98px) { .filters .field { flex: 1 1 100%; max-width: none; } }

/* Notices and badges */
.notice { border-radius: var(--radius); padding: var(--space-3) var(--space-4); margin: 0 0 var(--space-4); border: 1px solid var(--line); background: var(--surface); }
.notice > :first-child { margin-top: 0; } .notice > :last-child { margin-bottom: 0; }
.notice p { margin: var(--space-1) 0; } .notice ul { margin: var(--space-1) 0; padding-left: var(--space-5); }
.notice h2 { margin: 0 0 var(--space-2); font-size: var(--text-base); }
.notice-success { background: var(--ok-bg); color: var(--ok); border-color: #b7e4c3; }
.notice-error { background: var(--danger-bg); color: var(--danger); border-color: #f6c6c0; }
.notice-warning { background: var(--warn-bg); color: var(--warn); border-color: #f0d49a; }
.notice-info { background: var(--info-bg); color: #1e3a8a; border-color: #c3d5f7; }
.notice a { color: inherit; font-weight: 600; }
.flash { font-weight: 500; }
.badge { display: inline-flex; align-items: center; white-space: nowrap; font-size: var(--text-sm); line-height: 1.5; padding: 0 8px;
  border-radius: 999px; font-weight: 600; background: var(--neutral-bg); color: var(--neutral); vertical-align: baseline; }
.badge-success, .badge-active { background: var(--ok-bg); color: var(--ok); }
.badge-warning, .badge-pending { background: var(--warn-bg); color: var(--warn); }
.badge-danger, .badge-expired { background: var(--danger-bg); color: var(--danger); }
.badge-neutral, .badge-deactivated { background: var(--neutral-bg); color: var(--neutral); }
.badge-info { background: var(--info-bg); color: var(--info); }
/* A time may break between its date and its hour (Time renders both halves unbroken). */
.nowrap { white-space: nowrap; }

/* Tables: a white card; columns by priority; below 700 px every row is a card. */
table { border-collapse: separate; border-spacing: 0; width: 100%; margin: 0 0 var(--space-5); background: var(--surface);
  border: 1px solid var(--line); border-radius: var(--radius); }
th, td { text-align: left; padding: 10px; font-size: var(--text-table); border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: break-word; }
tbody tr:last-child > * { border-bottom: none; }
/* Words stay whole (names never break mid-word); values that are one long word (emails, ids,
   details) are .truncate or .wrap, so a table still fits. */
td { min-width: 5.5rem; }
th { font-size: var(--text-sm); font-weight: 600; color: var(--muted); background: var(--subtle); overflow-wrap: normal; }
thead th:first-child { border-top-left-radius: var(--radius); } thead th:last-child { border-top-right-radius: var(--radius); }
tbody tr:hover { background: var(--subtle); }
/* A row's name: wide enough for ordinary names to stay whole, and a name that is one long word
   (anything can be typed into a name) breaks rather than widen the page. */
.cell-primary { font-weight: 600; overflow-wrap: anywhere; }
@media (min-width: 700px) { td.cell-primary { min-width: 9.5rem; } }
.cell-primary a { text-decoration: none; }
.cell-primary a:hover { text-decoration: underline; }
.cell-actions { text-align: right; }
/* Wide enough for two small buttons side by side (+30 days, +90 days) before they wrap. */
@media (min-width: 700px) { td.cell-actions { min-width: 11.5rem; } }
.cell-actions .flash { text-align: left; }
.field-note { margin: calc(-1 * var(--space-2)) 0 var(--space-4); }
.cell-actions > * + * { margin-left: var(--space-2); }
/* Row actions wrap onto a second line before the table grows wider than the page. */
.cell-actions .button-row { justify-content: flex-end; margin: 0; flex-wrap: wrap; }
/* A row's own small form (a directory group's mapping): its fields side by side, wrapping onto
   more lines before the table widens; on a phone's card it takes the card's whole width. */
.row-form { display: flex; flex-wrap: wrap; gap: var(--space-2) var(--space-3); align-items: flex-end; }
.row-form .field { margin: 0; flex: 1 1 10rem; max-width: 16rem; }
.row-form select { width: 100%; }
.row-form > button { height: var(--control-height); }
@media (max-width: 699.98px) { .row-form .field { max-width: none; } }
.row-form > .error { flex-basis: 100%; }
@media (min-width: 700px) { td.cell-form { min-width: 18rem; } }
.cell-primary .muted { font-weight: 400; }
.truncate { display: inline-block; max-width: 28ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
td.truncate { display: table-cell; max-width: 22ch; vertical-align: top; }
.wrap { overflow-wrap: anywhere; white-space: normal; }
@media (max-width: 1099.98px) { .priority-low { display: none; } }
@media (max-width: 699.98px) {
  table:not(.data-table) { display: block; max-width: 100%; overflow-x: auto; }
  .data-table, .data-table tbody, .data-table tr, .data-table td { display: block; width: 100%; }
  .data-table { border: none; background: none; }
  .data-table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .data-table tr { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: var(--space-3) var(--space-4); margin-bottom: var(--space-3); }
  .data-table tbody tr:hover { background: var(--surface); }
  .data-table td { border: none; padding: 3px 0; text-align: left; white-space: normal; }
  /* "Label   value": the label floats in the cell's left padding, the value (however long) beside
     it; flow-root makes the cell as tall as whichever is taller. */
  .data-table td, .data-table td.priority-low { display: flow-root; }
  .data-table td[data-label] { padding-left: 7.5rem; }
  .data-table td[data-label]::before { content: attr(data-label); float: left; width: 7rem; margin-left: -7.5rem;
    color: var(--muted); font-size: var(--text-sm); font-weight: 500; line-height: 1.4; padding-top: 3px; overflow-wrap: anywhere; }
  .data-table td.cell-primary, .data-table td.cell-actions, .data-table td.cell-form { padding-left: 0; }
  .data-table td.cell-actions:empty { display: none; }
  .data-table td.cell-primary { font-size: var(--text-lg); padding-bottom: var(--space-2); }
  .data-table td.cell-primary::before, .data-table td.cell-actions::before, .data-table td.cell-form::before { display: none; }
  .data-table td.cell-actions { margin-top: var(--space-2); padding-top: var(--space-2); border-top: 1px solid var(--line); }
  .data-table td.cell-actions .button-row, .data-table td.cell-actions { justify-content: flex-start; flex-wrap: wrap; }
  .data-table .truncate { max-width: 100%; }
}

/* Description lists, tabs, sections */
.details { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: var(--space-2) var(--space-5); margin: 0 0 var(--space-4); }
.details dt { font-weight: 600; color: var(--muted); font-size: var(--text-sm); padding-top: 2px; }
.details dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
@media (max-width: 699.98px) { .details { grid-template-columns: minmax(0, 1fr); gap: 0; } .details dd { margin-bottom: var(--space-2); } }
nav.tabs { margin: var(--space-4) 0 var(--space-5); }
ul.tabs, .tabs > ul { display: flex; gap: var(--space-1); border-bottom: 1px solid var(--line); margin: var(--space-4) 0 var(--space-5); padding: 0; list-style: none;
  overflow-x: auto; scrollbar-width: thin; }
.tabs > ul { margin: 0; }
.tabs li { flex: none; }
.tabs a { display: block; padding: var(--space-2) var(--space-3); text-decoration: none; color: var(--muted); font-weight: 500; white-space: nowrap;
  border-bottom: 2px solid transparent; }
.tabs a:hover { color: var(--fg); }
.tabs a[aria-current="page"] { color: var(--fg); border-bottom-color: var(--accent); font-weight: 600; }
.danger-zone { border: 1px solid #f6c6c0; border-radius: var(--radius); padding: var(--space-1) var(--space-4) var(--space-4); margin-top: var(--space-5); background: var(--surface); }
.danger-zone h2 { color: var(--danger); margin-top: var(--space-3); } .danger-zone:not(:last-child) { margin-bottom: var(--space-5); }
.empty { color: var(--muted); padding: var(--space-5); text-align: center; background: var(--surface); border: 1px dashed var(--line-strong); border-radius: var(--radius); }
.panel { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: var(--space-4); margin: 0 0 var(--space-4); }
.panel > h2:first-child { margin-top: 0; } .panel > :last-child { margin-bottom: 0; }

/* Home: what needs attention */
.attention { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: var(--space-4); margin: 0 0 var(--space-4); padding: 0; list-style: none; }
.attention-card { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: var(--space-4); display: flex; flex-direction: column; gap: var(--space-2); min-width: 0; }
.attention-card h3 { margin: 0; font-size: var(--text-sm); color: var(--muted); font-weight: 600; }
.attention-count { font-size: var(--text-2xl); font-weight: 650; line-height: 1.2; }
.attention-card ul { margin: 0; padding: 0; list-style: none; font-size: var(--text-sm); }
.attention-card li { display: flex; flex-direction: column; padding: var(--space-1) 0; border-top: 1px solid var(--line); }
.attention-card li > span { min-width: 0; overflow-wrap: anywhere; font-weight: 500; }
.attention-card li > time { color: var(--muted); }
.attention-card > a:last-child { margin-top: auto; padding-top: var(--space-2); font-weight: 500; }

/* Pieces of particular pages */
.copy-row { display: flex; gap: var(--space-2); } .copy-row input { flex: 1; min-width: 0; }
.copy-field { margin: var(--space-3) 0; max-width: 760px; display: flex; flex-direction: column; gap: var(--space-1); }
.qr svg { width: 230px; height: 230px; border: 1px solid var(--line); background: #fff; }
.qr figcaption { margin-top: var(--space-2); } .secret { font-size: var(--text-lg); letter-spacing: 1px; word-break: break-all; }
.recovery-codes { columns: 2; font-size: var(--text-lg); }
.post-body { white-space: pre-line; }
.update { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: var(--space-3) var(--space-4); margin: 0 0 var(--space-3); }
.update h3 { margin-top: 0; }
.audit-details { font-size: var(--text-sm); overflow-wrap: anywhere; }
.message-body { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--subtle); border: 1px solid var(--line); border-radius: var(--radius); padding: var(--space-3); }
.permission-matrix { width: auto; max-width: 100%; } .permission-matrix td { text-align: center; min-width: 0; } .permission-matrix input { width: 20px; height: 20px; }
@media (max-width: 699.98px) { .permission-matrix { display: block; overflow-x: auto; } .permission-matrix th, .permission-matrix td { padding: var(--space-2); } }
/* passkey sign-in */
.or-separator { display: flex; align-items: center; gap: var(--space-3); margin: var(--space-4) 0; color: var(--muted); font-size: var(--text-sm); }
.or-separator::before, .or-separator::after { content: ""; flex: 1; border-top: 1px solid var(--line); }
/* Without WebAuthn the passkey form stays hidden, and so does the "or" that leads to it. */
.or-separator:has(+ .passkey-form[hidden]), .passkey-form[hidden] ~ .or-separator { display: none; }

/* setup factors */
.factor-choices { display: grid; grid-template-columns: minmax(0, 1fr); gap: var(--space-4); margin: var(--space-4) 0 0; }
.factor-choices > section { min-width: 0; padding: var(--space-4); border: 1px solid var(--line); border-radius: var(--radius); }
.factor-choices h2 { margin-top: 0; }
.factor-choices .qr svg { max-width: 100%; height: auto; aspect-ratio: 1; }
@supports selector(:has(*)) {
  @media (min-width: 900px) {
    .public-shell main:has(.factor-choices) { max-width: 960px; }
    .factor-choices { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  }
}

/* account factors */
.account-factors h3 { margin-top: var(--space-4); }
.account-factors .passkey-form { max-width: 32rem; margin-top: var(--space-3); }
.factor-row { display: flex; flex-wrap: wrap; align-items: center; gap: var(--space-2) var(--space-4); }
.factor-row p { margin: 0; }

/* sign-in policy */
.policy-effects > h2:first-child { margin-top: 0; } .policy-effects > ul:last-child { margin-bottom: 0; }
`;
