// Admin → Access reviews → a closed review's evidence (docs/ACCESS-REVIEWS.md "Evidence"): its items
// and decisions as CSV or JSON with the signed audit checkpoint that covers its closing. Super admin
// only, like the campaigns: the file names every tenant's people.
import { Hono } from "hono";
import { sealReviewEvidence, streamEvidenceCsv, streamEvidenceJson } from "../../domain/reviews/review-evidence";
import { requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";

const forbiddenDetail = "Only a Super admin can export a review's evidence: it names the people of every tenant in it.";

async function sealed(c: AppContext, format: "CSV" | "JSON") {
  const ctx = domainContext(c);
  const evidence = await sealReviewEvidence(ctx, c.req.param("runId") ?? "", format);
  const stamp = (evidence.run.closedAt ?? ctx.now).toISOString().slice(0, 10);
  return { ctx, evidence, filename: `gatehouse-access-review-${stamp}-${evidence.run.id}` };
}

// Per route, not .use(): these share /admin/reviews with pages every staff member opens.
const superAdminOnly = [
  requireAccess({ kind: "console" }),
  requireAccess({ kind: "instance-admin" }, { forbiddenDetail }),
] as const;

export const adminReviewEvidenceRoutes = new Hono<AppEnv>()
  .get("/runs/:runId/evidence.csv", ...superAdminOnly, async (c) => {
    const { ctx, evidence, filename } = await sealed(c, "CSV");
    return c.body(streamEvidenceCsv(ctx, evidence), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}.csv"`,
    });
  })
  .get("/runs/:runId/evidence.json", ...superAdminOnly, async (c) => {
    const { ctx, evidence, filename } = await sealed(c, "JSON");
    return c.body(streamEvidenceJson(ctx, evidence), 200, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}.json"`,
    });
  });
