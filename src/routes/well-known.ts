// GET /.well-known/gatehouse-audit-keys: the audit log's verifier keys (c2sp.org/signed-note form
// `<name>+<key id>+<base64 key>`), one a line, the current signer's first, then the earlier keys
// checkpoints may still carry. Public, with no session and no store: a verifier needs the key
// without an account, and publishing it is what makes a checkpoint checkable by anyone.
import { Hono } from "hono";
import { readAuditLogKeys } from "../domain/audit/audit-tree";
import type { AppEnv } from "../http/app-env";

/**
 * Cacheable for 5 minutes (the contract): after a rotation a cached copy may lack the new signer for
 * that long. Auditors keep the key they trust rather than fetching it for each check (docs/AUDIT.md "Keys").
 */
export const auditKeysMaxAgeSeconds = 300;

export const wellKnownRoutes = new Hono<AppEnv>().get("/gatehouse-audit-keys", async (c) => {
  if (!c.get("config").AUDIT_SIGNING_KEYS) {
    // Plain text for a verifier's tool, as the keys would be; the log says which setting is missing.
    return c.text("This Gatehouse has no audit log signing key configured (AUDIT_SIGNING_KEYS).\n", 503);
  }
  const keys = await readAuditLogKeys({ config: c.get("config") });
  return c.body(keys.verifierKeys.map((key) => `${key}\n`).join(""), 200, {
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": `public, max-age=${auditKeysMaxAgeSeconds}`,
  });
});
