// The stylesheet and the two scripts (copy buttons; passkey ceremonies), served from the Worker so the CSP can stay
// at 'self' with no inline script or style.
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { passkeyScript } from "../http/passkey-script";
import { stylesheet } from "../http/stylesheet";

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
  )
  .get("/passkeys.js", (c) =>
    c.body(passkeyScript, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=3600",
    }),
  );
