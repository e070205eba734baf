// The SCIM 2.0 schemas Gatehouse serves (RFC 7643 §4 and §8.7) and the discovery documents built
// from them (RFC 7643 §5–§7). The definitions are written with a small table syntax and the
// documents are generated, because every KiB of the Worker counts (docs/PERFORMANCE.md).

export interface AttributeDefinition {
  name: string;
  type: "string" | "boolean" | "decimal" | "integer" | "dateTime" | "reference" | "complex";
  multiValued: boolean;
  required: boolean;
  caseExact: boolean;
  mutability: "readOnly" | "readWrite" | "immutable" | "writeOnly";
  returned: "always" | "never" | "default" | "request";
  uniqueness: "none" | "server" | "global";
  subAttributes?: AttributeDefinition[];
  canonicalValues?: string[];
  referenceTypes?: string[];
  description: string;
}

export interface ResourceSchema {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDefinition[];
}

export const userSchemaUrn = "urn:ietf:params:scim:schemas:core:2.0:User";
export const groupSchemaUrn = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const enterpriseUserSchemaUrn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const listResponseUrn = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const patchOpUrn = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const errorUrn = "urn:ietf:params:scim:api:messages:2.0:Error";
const coreUrnPrefix = "urn:ietf:params:scim:schemas:core:2.0:";

export const scimLimits = { maxResults: 200, maxFilterLength: 2048, maxOperations: 1000, maxPayloadBytes: 1048576 };

type AttributeType = AttributeDefinition["type"];

/**
 * One attribute from a compact flag string: m multi-valued, q required, x caseExact, R readOnly,
 * W writeOnly, I immutable, A returned always, N returned never, Q returned on request, U unique
 * within the server. The description is the name in words unless given.
 */
function attribute(
  name: string,
  type: AttributeType = "string",
  flags = "",
  extra: Partial<AttributeDefinition> = {},
): AttributeDefinition {
  const has = (flag: string) => flags.includes(flag);
  const words = name.replace(/^\$/, "").replace(/([A-Z])/g, " $1");
  return {
    name,
    type,
    multiValued: has("m"),
    required: has("q"),
    caseExact: has("x"),
    mutability: has("R") ? "readOnly" : has("W") ? "writeOnly" : has("I") ? "immutable" : "readWrite",
    returned: has("A") ? "always" : has("N") ? "never" : has("Q") ? "request" : "default",
    uniqueness: has("U") ? "server" : "none",
    description: words.charAt(0).toUpperCase() + words.slice(1).toLowerCase(),
    ...extra,
  };
}

const complex = (name: string, subAttributes: AttributeDefinition[], flags = "") =>
  attribute(name, "complex", flags, { subAttributes });
const strings = (names: string) => names.split(" ").map((name) => attribute(name));

/** A multi-valued attribute of the RFC's usual shape: value, display, type, primary (RFC 7643 §2.4). */
function multiValued(
  name: string,
  types: string,
  value = attribute("value"),
  extra: AttributeDefinition[] = [],
): AttributeDefinition {
  return complex(
    name,
    [
      value,
      attribute("display"),
      attribute("type", "string", "", types ? { canonicalValues: types.split(" ") } : {}),
      attribute("primary", "boolean"),
      ...extra,
    ],
    "m",
  );
}

const reference = (name: string, referenceTypes: string, flags = "") =>
  attribute(name, "reference", flags, { referenceTypes: referenceTypes.split(" ") });

/** id, externalId and meta: on every resource, outside any schema (RFC 7643 §3.1). */
export const commonAttributes: AttributeDefinition[] = [
  attribute("id", "string", "xRAU"),
  attribute("externalId", "string", "x"),
  complex(
    "meta",
    [
      attribute("resourceType", "string", "xR"),
      attribute("created", "dateTime", "R"),
      attribute("lastModified", "dateTime", "R"),
      reference("location", "uri", "R"),
      attribute("version", "string", "xR"),
    ],
    "R",
  ),
];

export const userSchema: ResourceSchema = {
  id: userSchemaUrn,
  name: "User",
  description: "User Account",
  attributes: [
    attribute("userName", "string", "qU"),
    complex("name", strings("formatted familyName givenName middleName honorificPrefix honorificSuffix")),
    ...strings("displayName nickName"),
    reference("profileUrl", "external"),
    ...strings("title userType preferredLanguage locale timezone"),
    attribute("active", "boolean"),
    // Accepted and discarded: Gatehouse users set their own password.
    attribute("password", "string", "WN"),
    multiValued("emails", "work home other"),
    multiValued("phoneNumbers", "work home mobile fax pager other"),
    multiValued("ims", "aim gtalk icq xmpp msn skype qq yahoo"),
    multiValued("photos", "photo thumbnail", reference("value", "external")),
    multiValued(
      "addresses",
      "work home other",
      undefined,
      strings("formatted streetAddress locality region postalCode country"),
    ),
    {
      ...multiValued("groups", "direct indirect", attribute("value", "string", "R"), [
        reference("$ref", "User Group", "R"),
      ]),
      mutability: "readOnly",
    },
    multiValued("entitlements", ""),
    multiValued("roles", ""),
    multiValued("x509Certificates", ""),
  ],
};

export const enterpriseUserSchema: ResourceSchema = {
  id: enterpriseUserSchemaUrn,
  name: "EnterpriseUser",
  description: "Enterprise User",
  attributes: [
    ...strings("employeeNumber costCenter organization division department"),
    complex("manager", [attribute("value"), reference("$ref", "User"), attribute("displayName", "string", "R")]),
  ],
};

export const groupSchema: ResourceSchema = {
  id: groupSchemaUrn,
  name: "Group",
  description: "Group",
  attributes: [
    attribute("displayName", "string", "q"),
    complex(
      "members",
      [
        attribute("value", "string", "I"),
        reference("$ref", "User Group", "I"),
        attribute("display", "string", "R"),
        attribute("type", "string", "I", { canonicalValues: ["User", "Group"] }),
      ],
      "m",
    ),
  ],
};

/** The schemas of each resource type, core schema first, as the PATCH and validation modules take them. */
export const userSchemas = [userSchema, enterpriseUserSchema];
export const groupSchemas = [groupSchema];

export interface ResolvedAttribute {
  definition: AttributeDefinition;
  /** The extension URN whose object holds the attribute; undefined for core and common attributes. */
  extension?: string;
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
export const findDefinition = (definitions: AttributeDefinition[] | undefined, name: string) =>
  definitions?.find((definition) => sameName(definition.name, name));

/**
 * The attribute a (lower-cased) path names: a URN prefix selects the core schema or an extension;
 * without one, the core schema and the common attributes are searched (RFC 7644 §3.10).
 */
export function resolveAttribute(
  schemas: ResourceSchema[],
  uri: string | undefined,
  name: string,
): ResolvedAttribute | undefined {
  const [core, ...extensions] = schemas;
  if (!core) return undefined;
  if (uri === undefined || sameName(uri, core.id)) {
    const definition = findDefinition([...core.attributes, ...commonAttributes], name);
    return definition && { definition };
  }
  const extension = extensions.find((schema) => sameName(schema.id, uri));
  const definition = findDefinition(extension?.attributes, name);
  return definition && extension && { definition, extension: extension.id };
}

/** The extension schema a key such as "urn:…:enterprise:2.0:User" names, whatever its case. */
export const findExtension = (schemas: ResourceSchema[], key: string) =>
  schemas.slice(1).find((schema) => sameName(schema.id, key));

/** Every definition of the schemas and the common attributes, for filters over whole resources. */
export const attributesOf = (schemas: ResourceSchema[]) => [
  ...schemas.flatMap((schema) => schema.attributes),
  ...commonAttributes,
];

const meta = (resourceType: string, location: string) => ({ resourceType, location });

export function buildServiceProviderConfig(baseUrl: string) {
  const unsupported = { supported: false };
  return {
    schemas: [`${coreUrnPrefix}ServiceProviderConfig`],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: scimLimits.maxResults },
    changePassword: unsupported,
    sort: unsupported,
    etag: unsupported,
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer token",
        description: "The directory's token, sent as Authorization: Bearer",
        specUri: "https://www.rfc-editor.org/info/rfc6750",
        primary: true,
      },
    ],
    meta: meta("ServiceProviderConfig", `${baseUrl}/ServiceProviderConfig`),
  };
}

export function buildResourceTypes(baseUrl: string) {
  const resourceType = (name: string, schema: string, schemaExtensions: object[]) => ({
    schemas: [`${coreUrnPrefix}ResourceType`],
    id: name,
    name,
    endpoint: `/${name}s`,
    description: name,
    schema,
    schemaExtensions,
    meta: meta("ResourceType", `${baseUrl}/ResourceTypes/${name}`),
  });
  return [
    resourceType("User", userSchemaUrn, [{ schema: enterpriseUserSchemaUrn, required: false }]),
    resourceType("Group", groupSchemaUrn, []),
  ];
}

export function buildSchemaDocuments(baseUrl: string) {
  return [userSchema, enterpriseUserSchema, groupSchema].map((schema) => ({
    schemas: [`${coreUrnPrefix}Schema`],
    ...schema,
    meta: meta("Schema", `${baseUrl}/Schemas/${schema.id}`),
  }));
}
