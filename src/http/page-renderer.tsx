// How a page answers: each page group (src/routes/*/index.ts) sets one of these renderers once, and
// its handlers answer `c.render(<Screen … />, { title })`. The renderer adds the doctype and the
// layout; on signed-in pages the header shows the caller and only the sections authorize() lets
// them open (navigation.ts), so no handler passes them along; a Super admin also sees the audit
// log's tamper banner while a finding is open (read in the caller's batch, docs/AUDIT.md). A
// refusal sets its status first (`c.status(409)`; handleForm does it for forms).

import { jsxRenderer } from "hono/jsx-renderer";
import { AuditTamperBanner } from "../../views/components/audit-tamper-banner";
import { PageLayout } from "../../views/layouts/page-layout";
import { authorize, type Principal } from "../domain/access";
import { openFindingsCountCap } from "../domain/audit/audit-integrity";
import type { AppContext } from "./app-env";
import { buildNavigation, signedInUser } from "./navigation";

export interface PageProps {
  /** The document's title; the layout adds " · Gatehouse". */
  title: string;
}

declare module "hono" {
  // hono declares ContextRenderer as an interface: only an interface merges into it.
  interface ContextRenderer {
    // biome-ignore lint/style/useShorthandFunctionType: a type alias would not merge (see above).
    (content: string | Promise<string>, props: PageProps): Response | Promise<Response>;
  }
}

/** The tamper banner, for a Super admin while the cron's check of the audit log has an unacknowledged finding. */
function auditAlertFor(principal: Principal) {
  // Whether findings wait is read with the caller, in its batch (webhook-dispatch.ts selectEventDeliveryHint).
  if (!principal.eventDelivery?.openAuditFindings || !authorize(principal, { kind: "instance-admin" }).allowed) {
    return null;
  }
  return <AuditTamperBanner changedRows={principal.eventDelivery.openAuditFindings} cap={openFindingsCountCap} />;
}

/** Pages of a signed-in caller: their name, role and navigation in the header (none when nobody is signed in). */
export const signedInPages = jsxRenderer(
  ({ children, title }, c) => {
    const principal = (c as AppContext).get("principal");
    return (
      <PageLayout
        title={title}
        user={principal ? signedInUser(principal) : null}
        navigation={principal ? buildNavigation(principal, new URL(c.req.url).pathname) : []}
        alert={principal ? auditAlertFor(principal) : null}
      >
        {children}
      </PageLayout>
    );
  },
  { docType: true },
);

/** Sign-in and setup: one centred card that shows nobody, even when a session cookie came along. */
export const publicPages = jsxRenderer(
  ({ children, title }) => (
    <PageLayout title={title} variant="public">
      {children}
    </PageLayout>
  ),
  { docType: true },
);
