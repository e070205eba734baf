// SCIM discovery (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas. Public, before
// the directory's token is checked: RFC 7643 §5 asks that the authentication schemes be readable
// without prior authentication, and these documents are the same for every directory and hold no
// data (docs/SECURITY.md "Directories as actors").
import { Hono } from "hono";
import {
  buildResourceTypes,
  buildSchemaDocuments,
  buildServiceProviderConfig,
  listResponseUrn,
} from "../../domain/scim/scim-schemas";
import { AppError } from "../../errors";
import type { AppContext, AppEnv } from "../../http/app-env";
import { scimJson } from "../../http/scim";

function baseUrlOf(c: AppContext): string {
  return `${c.get("config").APP_ORIGIN}/scim/v2`;
}

/** RFC 7644 §4: a filter here is answered 403, so a client never takes an ignored filter for a match. */
function refuseFilters(c: AppContext): void {
  if (c.req.query("filter") !== undefined) {
    throw new AppError("FORBIDDEN", { detail: "Discovery endpoints take no filter." });
  }
}

function listResponse(resources: object[]) {
  return {
    schemas: [listResponseUrn],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  };
}

function findById<T extends { id: string }>(documents: T[], id: string): T {
  const found = documents.find((document) => document.id === id);
  if (!found) throw new AppError("NOT_FOUND", { detail: "No such resource type or schema." });
  return found;
}

export const scimDiscovery = new Hono<AppEnv>()
  .get("/ServiceProviderConfig", (c) => {
    refuseFilters(c);
    return scimJson(c, buildServiceProviderConfig(baseUrlOf(c)));
  })
  .get("/ResourceTypes", (c) => {
    refuseFilters(c);
    return scimJson(c, listResponse(buildResourceTypes(baseUrlOf(c))));
  })
  .get("/ResourceTypes/:name", (c) => scimJson(c, findById(buildResourceTypes(baseUrlOf(c)), c.req.param("name"))))
  .get("/Schemas", (c) => {
    refuseFilters(c);
    return scimJson(c, listResponse(buildSchemaDocuments(baseUrlOf(c))));
  })
  .get("/Schemas/:urn", (c) => scimJson(c, findById(buildSchemaDocuments(baseUrlOf(c)), c.req.param("urn"))));
