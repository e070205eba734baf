// Admin → Audit log → export (docs/AUDIT.md "Export"): the page's filter as a streamed CSV or JSON
// file in which every row carries its leaf and inclusion proof against a checkpoint sealed for it.
import { Hono } from "hono";
import * as z from "zod";
import { streamAuditCsv } from "../../domain/audit/audit-csv";
import { sealAuditExport, streamAuditJson } from "../../domain/audit/audit-export";
import { AppError, fieldError } from "../../errors";
import { requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { readAuditFilter } from "./audit";

const consistencyFromSchema = z
  .string()
  .regex(/^\d{1,15}$/, "consistencyFrom must be a tree size: a whole number from 0 up.")
  .transform(Number)
  .optional();

async function sealExport(c: AppContext, format: "CSV" | "JSON") {
  const { filter, errors } = readAuditFilter(c);
  if (Object.keys(errors).length > 0) {
    throw new AppError("VALIDATION_FAILED", {
      detail: `These filters are not valid: ${Object.values(errors).join(" ")}`,
    });
  }
  let consistencyFrom: number | null = null;
  if (format === "JSON") {
    const parsed = consistencyFromSchema.safeParse(c.req.query("consistencyFrom")?.trim() || undefined);
    if (!parsed.success) throw fieldError("consistencyFrom", parsed.error.issues[0]?.message ?? "Not a tree size.");
    consistencyFrom = parsed.data ?? null;
  }
  const ctx = domainContext(c);
  const stamp = ctx.now.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  return { ctx, sealed: await sealAuditExport(ctx, { filter, format, consistencyFrom }), stamp };
}

export const adminAuditExportRoutes = new Hono<AppEnv>()
  .get("/export.csv", requireAccess({ kind: "console", permission: "audit:read" }), async (c) => {
    const { ctx, sealed, stamp } = await sealExport(c, "CSV");
    return c.body(streamAuditCsv(ctx, sealed), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="gatehouse-audit-${stamp}.csv"`,
    });
  })
  .get("/export.json", requireAccess({ kind: "console", permission: "audit:read" }), async (c) => {
    const { ctx, sealed, stamp } = await sealExport(c, "JSON");
    return c.body(streamAuditJson(ctx, sealed), 200, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="gatehouse-audit-${stamp}.json"`,
    });
  });
