// Admin → Audit log → export: the page's filter as a streamed CSV.
import { Hono } from "hono";
import { streamAuditCsv } from "../../domain/audit/audit-csv";
import { recordAuditExport } from "../../domain/audit/audit-log";
import { AppError } from "../../errors";
import { requireAccess } from "../../http/access";
import { type AppEnv, domainContext } from "../../http/app-env";
import { readAuditFilter } from "./audit";

export const adminAuditExportRoutes = new Hono<AppEnv>().get(
  "/export.csv",
  requireAccess({ kind: "console", permission: "audit:read" }),
  async (c) => {
    const { filter, errors } = readAuditFilter(c);
    if (Object.keys(errors).length > 0) {
      throw new AppError("VALIDATION_FAILED", {
        detail: `These filters are not valid: ${Object.values(errors).join(" ")}`,
      });
    }
    const ctx = domainContext(c);
    await recordAuditExport(ctx, filter);
    const stamp = ctx.now.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
    return c.body(streamAuditCsv(ctx, filter), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="gatehouse-audit-${stamp}.csv"`,
    });
  },
);
