// The admin console under /admin (docs/PRODUCT.md §9): every page here is a signed-in page, its layout
// set once below. Each route still names the permission it needs (requireAccess).
import { Hono } from "hono";
import type { AppEnv } from "../../http/app-env";
import { signedInPages } from "../../http/page-renderer";
import { adminAccessGroupRoutes } from "./access-group";
import { adminAccessGroupsRoutes } from "./access-groups";
import { adminAuditRoutes } from "./audit";
import { adminAuditExportRoutes } from "./audit-export";
import { adminDirectoryRoutes } from "./directories";
import { adminHomeRoutes } from "./home";
import { adminMembershipRoutes } from "./memberships";
import { adminOutboxRoutes } from "./outbox";
import { adminReviewEvidenceRoutes } from "./review-evidence";
import { adminReviewRunRoutes } from "./review-runs";
import { adminReviewRoutes } from "./reviews";
import { adminSignInPolicyRoutes } from "./sign-in-policy";
import { adminTenantRoutes } from "./tenants";
import { adminUserAccessGroupRoutes } from "./user-access-groups";
import { adminUserTabRoutes } from "./user-tabs";
import { adminUserRoutes } from "./users";
import { adminWebhookRoutes } from "./webhooks";

export const adminPages = new Hono<AppEnv>()
  .use(signedInPages)
  .route("/", adminHomeRoutes)
  // A user's page: the list, invite and Details (users.tsx), the Memberships and Security tabs
  // (user-tabs.tsx) and the Access groups tab (user-access-groups.tsx).
  .route("/users", adminUserRoutes)
  .route("/users", adminUserTabRoutes)
  .route("/users", adminUserAccessGroupRoutes)
  .route("/tenants", adminTenantRoutes)
  .route("/memberships", adminMembershipRoutes)
  // The list and new groups (access-groups.tsx); one group's page and its forms (access-group.tsx).
  .route("/access-groups", adminAccessGroupsRoutes)
  .route("/access-groups", adminAccessGroupRoutes)
  .route("/audit", adminAuditRoutes)
  // The page (audit.tsx); its CSV and JSON exports (audit-export.ts).
  .route("/audit", adminAuditExportRoutes)
  .route("/outbox", adminOutboxRoutes)
  .route("/directories", adminDirectoryRoutes)
  .route("/webhooks", adminWebhookRoutes)
  // Access reviews: campaigns and "Your reviews" (reviews.tsx), one review and its decisions
  // (review-runs.tsx), a closed review's evidence (review-evidence.ts).
  .route("/reviews", adminReviewRunRoutes)
  .route("/reviews", adminReviewEvidenceRoutes)
  .route("/reviews", adminReviewRoutes)
  .route("/sign-in-policy", adminSignInPolicyRoutes);
