// The operator workspace under /tenants (docs/PRODUCT.md §4): signed-in pages, their layout set once here.
import { Hono } from "hono";
import type { AppEnv } from "../../http/app-env";
import { signedInPages } from "../../http/page-renderer";
import { tenantWorkspaceRoutes } from "./workspace";

export const workspacePages = new Hono<AppEnv>().use(signedInPages).route("/", tenantWorkspaceRoutes);
