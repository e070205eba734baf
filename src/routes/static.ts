// The stylesheet and the one script (copy buttons), served from the Worker so the CSP can stay
// at 'self' with no inline script or style.
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";

const stylesheet = `
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0a5bd3; --bg: #fff; --soft: #f6f8fa;
  --ok: #116329; --ok-bg: #dafbe1; --err: #a40e26; --err-bg: #ffebe9; --warn: #7d4e00; --warn-bg: #fff8c5; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #ffbf47; outline-offset: 1px; }
.skip-link { position: absolute; left: -9999px; } .skip-link:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 10; }
.site-header { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; padding: 10px 24px; border-bottom: 1px solid var(--line); background: var(--soft); }
.site-header nav ul { display: flex; flex-wrap: wrap; gap: 14px; list-style: none; margin: 0; padding: 0; }
.site-header nav a[aria-current="page"] { font-weight: 700; text-decoration: underline; }
.brand { font-weight: 700; text-decoration: none; color: var(--fg); }
.signed-in { margin-left: auto; display: flex; gap: 8px; align-items: center; }
.role { font-size: 12px; color: var(--muted); border: 1px solid var(--line); border-radius: 10px; padding: 0 6px; }
main { padding: 24px; max-width: 1200px; }
.narrow { max-width: 560px; }
h1 { font-size: 28px; margin: 8px 0 16px; } h2 { font-size: 20px; margin-top: 28px; }
.page-heading { display: flex; justify-content: space-between; align-items: center; gap: 16px; }
.field { margin: 0 0 14px; display: flex; flex-direction: column; gap: 4px; max-width: 520px; }
label { font-weight: 600; }
input, select, textarea { font: inherit; padding: 7px 9px; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: var(--fg); }
textarea { min-height: 120px; }
.has-error input, .has-error select, .has-error textarea { border-color: var(--err); border-width: 2px; }
.error { color: var(--err); margin: 0; font-weight: 600; }
.hint, .muted { color: var(--muted); margin: 0; font-size: 14px; }
button, .button { font: inherit; display: inline-block; padding: 7px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--err); border-color: var(--err); }
.link-button { background: none; border: none; color: var(--accent); padding: 0; text-decoration: underline; }
form.inline { display: inline; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 16px; padding: 12px 16px; }
.membership-row { display: flex; flex-wrap: wrap; gap: 12px; }
.membership-row > .error { flex-basis: 100%; }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; margin-bottom: 16px; }
.filters .field { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-size: 14px; }
.notice { border-radius: 6px; padding: 10px 14px; margin: 12px 0; border: 1px solid var(--line); }
.notice p { margin: 4px 0; } .notice ul { margin: 4px 0; }
.notice-success { background: var(--ok-bg); color: var(--ok); border-color: #aceebb; }
.notice-error { background: var(--err-bg); color: var(--err); border-color: #ffcecb; }
.notice-warning { background: var(--warn-bg); color: var(--warn); border-color: #eac54f; }
.notice-info { background: #ddf4ff; color: #0a3069; border-color: #b6e3ff; }
.badge { display: inline-block; font-size: 13px; padding: 1px 8px; border-radius: 10px; border: 1px solid var(--line); font-weight: 600; }
.badge-active { background: var(--ok-bg); color: var(--ok); } .badge-pending { background: var(--warn-bg); color: var(--warn); }
.badge-deactivated { background: #eaeef2; color: #424a53; } .badge-expired { background: var(--err-bg); color: var(--err); }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.copy-row { display: flex; gap: 8px; } .copy-row input { flex: 1; min-width: 0; }
.copy-field { margin: 12px 0; max-width: 760px; display: flex; flex-direction: column; gap: 4px; }
.qr svg { width: 230px; height: 230px; border: 1px solid var(--line); }
.qr figcaption { margin-top: 8px; } .secret { font-size: 18px; letter-spacing: 1px; word-break: break-all; }
.recovery-codes { columns: 2; font-size: 18px; }
.details { display: grid; grid-template-columns: max-content 1fr; gap: 6px 20px; }
.details dt { font-weight: 600; } .details dd { margin: 0; }
.tabs { display: flex; gap: 4px; border-bottom: 1px solid var(--line); margin: 16px 0; padding: 0; list-style: none; }
.tabs a { display: block; padding: 8px 14px; text-decoration: none; border: 1px solid transparent; border-bottom: none; border-radius: 6px 6px 0 0; }
.tabs a[aria-current="page"] { border-color: var(--line); background: #fff; font-weight: 700; margin-bottom: -1px; }
.empty { color: var(--muted); font-style: italic; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.danger-zone { border: 1px solid #ffcecb; border-radius: 6px; padding: 4px 16px 16px; margin-top: 24px; }
.post-body { white-space: pre-line; }
.audit-details { min-width: 16em; font-size: 14px; overflow-wrap: anywhere; }
.message-body { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 12px; }
.permission-matrix { width: auto; } .permission-matrix td { text-align: center; } .permission-matrix input { width: 20px; height: 20px; }
`;

// Progressive enhancement only: every page works without it.
const script = `
document.querySelectorAll("[data-copy-target]").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) return;
    var text = "value" in target && target.value !== undefined ? target.value : target.innerText;
    navigator.clipboard.writeText(text).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
});
`;

export const staticRoutes = new Hono<AppEnv>()
  .get("/app.css", (c) =>
    c.body(stylesheet, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" }),
  )
  .get("/app.js", (c) =>
    c.body(script, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=3600" }),
  );
