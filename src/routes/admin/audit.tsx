// Admin → Audit log (docs/PRODUCT.md §6): filters, keyset pages, the verifiable log's state (docs/AUDIT.md
// "Verifying the log"), a Super admin's "Seal now" and the acknowledgement of the cron's findings.
// There is no route that changes or deletes an audit row, and the database would refuse it.

import { Hono } from "hono";
import type { AuditFilterValues } from "../../../views/components/audit-filters";
import { formatCount } from "../../../views/format";
import { AuditPage } from "../../../views/pages/admin/audit-page";
import { authorize } from "../../domain/access";
import { auditActions } from "../../domain/audit/audit";
import { acknowledgeAuditFindings } from "../../domain/audit/audit-integrity";
import { type AuditFilter, auditActionSchema } from "../../domain/audit/audit-log";
import { readAuditLogPage } from "../../domain/audit/audit-log-page";
import { pendingCountLimit, readVerifierKeys, sealAuditLogNow } from "../../domain/audit/audit-log-status";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash, takeFlash } from "../../http/flash";
import { type FieldErrors, readFormValues } from "../../http/forms";
import { readLocalDateTime } from "../../http/time-input";

// Query names match the API's where they mean the same (targetId, tenantId), so pages can link here.
// The page adds targetEmail: a person chosen by email, resolved to their id in the page's one batch.
const filterKeys = ["actor", "action", "targetId", "targetEmail", "tenantId", "from", "to"] as const;

function readInstant(value: string, timeZone: string, field: string, errors: FieldErrors): Date | undefined {
  const reading = readLocalDateTime(value, timeZone);
  if (!reading.valid) errors[field] = reading.message;
  return reading.valid && reading.iso ? new Date(reading.iso) : undefined;
}

/** The page's query string (datetime-local values in the viewer's zone) → a domain filter (also the export's). */
export function readAuditFilter(c: AppContext) {
  const timeZone = currentPrincipal(c).user.timeZone;
  const values = Object.fromEntries(
    filterKeys.map((key) => [key, (c.req.query(key) ?? "").trim().slice(0, 254)]),
  ) as AuditFilterValues;
  values.actor ||= (c.req.query("actorId") ?? "").trim().slice(0, 254);
  const errors: FieldErrors = {};
  const action = values.action === "" ? undefined : auditActionSchema.safeParse(values.action);
  if (action && !action.success) errors.action = "Choose an action from the list.";
  const actorIsEmail = values.actor.includes("@");
  const filter: AuditFilter = {
    actorId: values.actor && !actorIsEmail ? values.actor : undefined,
    actorEmail: actorIsEmail ? values.actor : undefined,
    action: action?.success ? action.data : undefined,
    targetId: values.targetId || undefined,
    targetEmail: values.targetEmail || undefined,
    tenantId: values.tenantId || undefined,
    from: readInstant(values.from, timeZone, "from", errors),
    to: readInstant(values.to, timeZone, "to", errors),
  };
  return { filter, values, errors };
}

function filterPairs(values: AuditFilterValues): Array<[string, string]> {
  return filterKeys.filter((key) => values[key]).map((key) => [key, values[key]]);
}

function queryOf(values: AuditFilterValues, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams([...filterPairs(values), ...Object.entries(extra)]).toString();
  return query ? `?${query}` : "";
}

const superAdminOnly = [
  requireAccess({ kind: "console" }),
  requireAccess(
    { kind: "instance-admin" },
    { forbiddenDetail: "Only a Super admin can seal a checkpoint or acknowledge the audit log's findings." },
  ),
] as const;

export const adminAuditRoutes = new Hono<AppEnv>()
  .get("/", requireAccess({ kind: "console", permission: "audit:read" }), async (c) => {
    const principal = currentPrincipal(c);
    const ctx = domainContext(c);
    const { filter, values, errors } = readAuditFilter(c);
    const valid = Object.keys(errors).length === 0;
    const superAdmin = authorize(principal, { kind: "instance-admin" }).allowed;
    // A refused filter still shows the form and its pickers: the same one batch, its events not shown.
    const page = await readAuditLogPage(ctx, valid ? filter : {}, {
      cursor: (valid && c.req.query("cursor")) || undefined,
      limit: valid ? 50 : 1,
      withFindings: superAdmin,
    });
    if (!valid) c.status(400);
    const targetEmail = filter.targetEmail?.toLowerCase();
    if (targetEmail && !page.people.some((person) => person.email === targetEmail)) {
      errors.targetEmail = `No user has the email ${filter.targetEmail}. Check the spelling, or leave it empty.`;
    }
    const events = page.events;
    return c.render(
      <AuditPage
        timeZone={principal.user.timeZone}
        rows={valid ? events.items : []}
        values={values}
        errors={errors}
        actions={auditActions}
        tenants={page.tenants}
        people={page.people}
        nextPageHref={
          valid && events.nextCursor ? `/admin/audit${queryOf(values, { cursor: events.nextCursor })}` : null
        }
        flash={await takeFlash(c)}
        log={{
          ...page.log,
          pendingCountLimit,
          verifierKeys: await readVerifierKeys(ctx),
          maySeal: superAdmin,
        }}
        exports={{
          csvHref: `/admin/audit/export.csv${queryOf(values)}`,
          jsonHref: `/admin/audit/export.json${queryOf(values)}`,
          filters: filterPairs(values),
        }}
      />,
      { title: "Audit log" },
    );
  })
  .post("/seal", ...superAdminOnly, async (c) => {
    await readFormValues(c, { fields: [] });
    const { checkpoint, sealed } = await sealAuditLogNow(domainContext(c));
    const message = sealed
      ? `Checkpoint sealed: ${formatCount(checkpoint?.treeSize ?? 0, "event", "events")}.`
      : checkpoint
        ? "Nothing new to seal: the latest checkpoint covers every event."
        : "Nothing to seal: the log has no events yet.";
    await setFlash(c, { tone: "success", message, near: "verifiable-log" });
    return c.redirect("/admin/audit#verifiable-log", 303);
  })
  .post("/findings/acknowledge", ...superAdminOnly, async (c) => {
    await readFormValues(c, { fields: [] });
    const count = await acknowledgeAuditFindings(domainContext(c));
    const message =
      count > 0
        ? `${formatCount(count, "finding", "findings")} acknowledged: the banner is gone, and the findings stay in the audit log.`
        : "Nothing to acknowledge: another Super admin already did.";
    await setFlash(c, { tone: "success", message });
    return c.redirect("/admin/audit", 303);
  });
