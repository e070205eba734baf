// A review's revocations (docs/ACCESS-REVIEWS.md): a reviewer's "revoke" and the deadline's end a
// membership "as if removed by hand" (revoked_at now, reason 'removed', revoked_by NULL), with a
// `membership.revoked` event whose actor is the campaign: the ServicePrincipal of campaignActor,
// scoped to the one run, whose authority authorize() limits to that run's items.
import type { ServicePrincipal } from "../access";

/** The campaign acting for one of its runs: ctx.actor of every change the run makes itself. */
export function campaignActor(run: { id: string; campaignId: string; name: string }): ServicePrincipal {
  return {
    kind: "service",
    service: {
      type: "access_review",
      id: run.campaignId,
      name: run.name,
      scope: { kind: "review-run", runId: run.id },
    },
  };
}
