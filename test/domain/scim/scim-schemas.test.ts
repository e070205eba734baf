// The discovery documents (RFC 7643 §5–§7) generated from the attribute definitions.
import { describe, expect, it } from "vitest";
import {
  buildResourceTypes,
  buildSchemaDocuments,
  buildServiceProviderConfig,
  enterpriseUserSchemaUrn,
  resolveAttribute,
  userSchemas,
} from "../../../src/domain/scim/scim-schemas";

const baseUrl = "https://gatehouse.example/scim/v2";

describe("SCIM discovery documents", () => {
  it("advertise patch and filter with the result cap, and no bulk, sort, etag or password change", () => {
    expect(buildServiceProviderConfig(baseUrl)).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [{ type: "oauthbearertoken", primary: true }],
      meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
    });
  });

  it("describe User with the optional enterprise extension, and Group", () => {
    const [user, group] = buildResourceTypes(baseUrl);
    expect(user).toMatchObject({
      id: "User",
      endpoint: "/Users",
      schema: "urn:ietf:params:scim:schemas:core:2.0:User",
      schemaExtensions: [{ schema: enterpriseUserSchemaUrn, required: false }],
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/User` },
    });
    expect(group).toMatchObject({ id: "Group", endpoint: "/Groups", schemaExtensions: [] });
  });

  it("give each schema its attributes with the RFC's characteristics and a location", () => {
    const [user, enterprise, group] = buildSchemaDocuments(baseUrl);
    const userName = user?.attributes.find((attribute) => attribute.name === "userName");
    expect(userName).toMatchObject({ type: "string", required: true, caseExact: false, uniqueness: "server" });
    expect(user?.attributes.find((attribute) => attribute.name === "password")).toMatchObject({
      mutability: "writeOnly",
      returned: "never",
    });
    expect(user?.attributes.find((attribute) => attribute.name === "groups")?.mutability).toBe("readOnly");
    expect(enterprise?.meta).toEqual({
      resourceType: "Schema",
      location: `${baseUrl}/Schemas/${enterpriseUserSchemaUrn}`,
    });
    expect(group?.attributes.map((attribute) => attribute.name)).toEqual(["displayName", "members"]);
  });

  it("resolve core, common and extension attributes whatever the case", () => {
    expect(resolveAttribute(userSchemas, undefined, "username")?.definition.name).toBe("userName");
    expect(resolveAttribute(userSchemas, undefined, "externalid")?.definition.caseExact).toBe(true);
    expect(resolveAttribute(userSchemas, enterpriseUserSchemaUrn.toLowerCase(), "manager")).toMatchObject({
      extension: enterpriseUserSchemaUrn,
      definition: { name: "manager", type: "complex" },
    });
    expect(resolveAttribute(userSchemas, undefined, "department")).toBeUndefined();
  });
});
