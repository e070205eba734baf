// The client portal under /portal (docs/PRODUCT.md §4): signed-in pages, their layout set once here.
import { Hono } from "hono";
import type { AppEnv } from "../../http/app-env";
import { signedInPages } from "../../http/page-renderer";
import { portalRoutes } from "./portal";

export const portalPages = new Hono<AppEnv>().use(signedInPages).route("/", portalRoutes);
