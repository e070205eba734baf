// The API's write routes as input-sweep.e2e.ts sends them: a valid body for each, which of its
// fields are text and which are dates, and the key a duplicate-key probe repeats. Every API write
// route of the access table is either here or in `bodylessApiWrites`; the sweep fails on a route
// that is in neither, so a route added on any branch gets a body and its probes.
import type { TextFormat } from "./hostile-text";

/** What the sweep created for its probes (never the story's cast). */
export interface ProbeIds {
  tenantB: string;
  /** An OPERATOR whose details the PATCH probes target. */
  subject: string;
  /** An OPERATOR with no membership, whom membership probes add. */
  candidate: string;
  group: string;
  /** An update in tenant B. */
  update: string;
  /** The subject's OPERATOR_READONLY membership in tenant B. */
  membership: string;
}

export interface TextFieldSpec {
  /** Dotted path in the body: "firstName", "users.0.firstName". */
  field: string;
  format?: TextFormat;
  required?: boolean;
  multiLine?: boolean;
}

export interface ApiWriteSpec {
  /** The access table's method and route, e.g. "PATCH /api/v1/users/:id". */
  route: string;
  path: (ids: ProbeIds) => string;
  /** A body the route accepts. */
  body: (tag: string, ids: ProbeIds) => Record<string, unknown>;
  /** Every field optional (a PATCH): a probe sends the probed field alone. */
  partial?: boolean;
  text?: TextFieldSpec[];
  dates?: string[];
  /** The top-level key sent twice: its first value is the body's, the second this. */
  duplicate: (ids: ProbeIds) => [key: string, second: unknown];
  /** POST /api/v1/users/bulk answers per row: a refused row comes back "invalid" with field errors. */
  perRow?: boolean;
}

const person = (tag: string) => ({
  email: `${tag}@input-sweep.example`,
  firstName: `Probe ${tag}`,
  lastName: `Probe ${tag}`,
});
const personFields = (prefix = ""): TextFieldSpec[] => [
  { field: `${prefix}email`, format: "email", required: true },
  { field: `${prefix}firstName`, required: true },
  { field: `${prefix}lastName`, required: true },
];
const updateFields: TextFieldSpec[] = [
  { field: "title", required: true },
  { field: "body", required: true, multiLine: true },
];
const tenantFields: TextFieldSpec[] = [
  { field: "name", required: true },
  { field: "slug", format: "slug", required: true },
  { field: "description", multiLine: true },
];
const groupFields: TextFieldSpec[] = [
  { field: "name", required: true },
  { field: "description", multiLine: true },
];

export const apiWriteSpecs: ApiWriteSpec[] = [
  {
    route: "POST /api/v1/me/tokens",
    path: () => "/api/v1/me/tokens",
    body: (tag) => ({ name: `Probe ${tag}` }),
    text: [{ field: "name", required: true }],
    dates: ["expiresAt"],
    duplicate: () => ["name", "Second name"],
  },
  {
    route: "POST /api/v1/users",
    path: () => "/api/v1/users",
    body: (tag, ids) => ({
      ...person(tag),
      role: "OPERATOR",
      memberships: [{ tenantId: ids.tenantB, role: "OPERATOR_READONLY" }],
    }),
    text: [...personFields(), { field: "slackId", format: "slack-id" }],
    dates: ["memberships.0.expiresAt"],
    duplicate: () => ["role", "SUPER_ADMIN"],
  },
  {
    route: "POST /api/v1/users/bulk",
    path: () => "/api/v1/users/bulk",
    body: (tag, ids) => ({
      users: [
        { ...person(tag), role: "OPERATOR", memberships: [{ tenantId: ids.tenantB, role: "OPERATOR_READONLY" }] },
      ],
    }),
    text: personFields("users.0."),
    dates: ["users.0.memberships.0.expiresAt"],
    perRow: true,
    duplicate: () => [
      "users",
      [{ email: "second.row@input-sweep.example", firstName: "Second", lastName: "Row", role: "SUPER_ADMIN" }],
    ],
  },
  {
    route: "PATCH /api/v1/users/:id",
    path: (ids) => `/api/v1/users/${ids.subject}`,
    partial: true,
    body: (tag) => ({
      firstName: `Probe ${tag}`,
      lastName: `Probe ${tag}`,
      displayName: `Probe ${tag}`,
      role: "OPERATOR",
    }),
    text: [
      { field: "firstName", required: true },
      { field: "lastName", required: true },
      { field: "displayName", required: true },
      { field: "slackId", format: "slack-id" },
    ],
    duplicate: () => ["role", "SUPER_ADMIN"],
  },
  {
    route: "POST /api/v1/tenants",
    path: () => "/api/v1/tenants",
    body: (tag) => ({ name: `Probe ${tag}`, slug: `${tag}-api`, description: `Probe ${tag}` }),
    text: tenantFields,
    duplicate: () => ["slug", "second-slug"],
  },
  {
    route: "PATCH /api/v1/tenants/:id",
    path: (ids) => `/api/v1/tenants/${ids.tenantB}`,
    partial: true,
    body: (tag) => ({ name: `Probe ${tag}`, slug: `${tag}-api`, description: `Probe ${tag}` }),
    text: tenantFields,
    duplicate: () => ["name", "Second name"],
  },
  {
    route: "POST /api/v1/access-groups",
    path: () => "/api/v1/access-groups",
    body: (tag) => ({ name: `Probe ${tag}`, description: `Probe ${tag}` }),
    text: groupFields,
    duplicate: () => ["name", "Second group"],
  },
  {
    route: "PATCH /api/v1/access-groups/:id",
    path: (ids) => `/api/v1/access-groups/${ids.group}`,
    partial: true,
    body: (tag) => ({ name: `Probe ${tag}`, description: `Probe ${tag}` }),
    text: groupFields,
    duplicate: () => ["name", "Second group name"],
  },
  {
    route: "PUT /api/v1/access-groups/:id/members",
    path: (ids) => `/api/v1/access-groups/${ids.group}/members`,
    body: () => ({ userIds: [] }),
    duplicate: (ids) => ["userIds", [ids.subject]],
  },
  {
    route: "POST /api/v1/tenants/:id/updates",
    path: (ids) => `/api/v1/tenants/${ids.tenantB}/updates`,
    body: (tag) => ({ title: `Probe ${tag}`, body: `Probe ${tag}` }),
    text: updateFields,
    duplicate: () => ["title", "Second title"],
  },
  {
    route: "PATCH /api/v1/tenants/:id/updates/:updateId",
    path: (ids) => `/api/v1/tenants/${ids.tenantB}/updates/${ids.update}`,
    body: (tag) => ({ title: `Probe ${tag}`, body: `Probe ${tag}` }),
    text: updateFields,
    duplicate: () => ["title", "Second title"],
  },
  {
    route: "POST /api/v1/tenants/:id/members",
    path: (ids) => `/api/v1/tenants/${ids.tenantB}/members`,
    body: (tag) => ({ ...person(tag), role: "CLIENT_VIEWER" }),
    text: personFields(),
    duplicate: () => ["role", "CLIENT_ADMIN"],
  },
  {
    route: "POST /api/v1/memberships",
    path: () => "/api/v1/memberships",
    body: (_tag, ids) => ({ userId: ids.candidate, tenantId: ids.tenantB, role: "OPERATOR_READONLY" }),
    dates: ["expiresAt"],
    duplicate: () => ["role", "OPERATOR_FULL"],
  },
  {
    route: "PATCH /api/v1/memberships/:id",
    path: (ids) => `/api/v1/memberships/${ids.membership}`,
    partial: true,
    body: () => ({ role: "OPERATOR_READONLY" }),
    dates: ["expiresAt"],
    duplicate: () => ["role", "OPERATOR_FULL"],
  },
  {
    route: "POST /api/v1/memberships/:id/extend",
    path: (ids) => `/api/v1/memberships/${ids.membership}/extend`,
    body: () => ({ days: 30 }),
    duplicate: () => ["days", 3650],
  },
  // Access reviews: the campaign the sweep would create starts in 2099 and covers tenant B only, so no
  // review of the story's tenants ever opens; the others target an id nobody has (validation answers first).
  {
    route: "POST /api/v1/access-reviews",
    path: () => "/api/v1/access-reviews",
    body: (tag, ids) => ({
      name: `Probe ${tag}`,
      allTenants: false,
      tenantIds: [ids.tenantB],
      cadence: "once",
      startsAt: "2099-01-01T00:00:00Z",
    }),
    text: [{ field: "name", required: true }],
    dates: ["startsAt"],
    duplicate: () => ["cadence", "quarterly"],
  },
  {
    route: "PATCH /api/v1/access-reviews/:id",
    path: () => "/api/v1/access-reviews/rvc_input_sweep_missing",
    partial: true,
    body: (tag) => ({ name: `Probe ${tag}`, startsAt: "2099-01-01T00:00:00Z" }),
    text: [{ field: "name", required: true }],
    dates: ["startsAt"],
    duplicate: () => ["name", "Second name"],
  },
  {
    route: "POST /api/v1/access-review-items/:id/decision",
    path: () => "/api/v1/access-review-items/rvi_input_sweep_missing/decision",
    body: (tag) => ({ decision: "keep", justification: `Probe ${tag}` }),
    text: [{ field: "justification", multiLine: true }],
    duplicate: () => ["decision", "revoke"],
  },
  {
    route: "POST /api/v1/access-review-items/decisions",
    path: () => "/api/v1/access-review-items/decisions",
    body: (tag) => ({ itemIds: ["rvi_input_sweep_missing"], decision: "keep", justification: `Probe ${tag}` }),
    text: [{ field: "justification", multiLine: true }],
    duplicate: () => ["decision", "revoke"],
  },
  {
    route: "POST /api/v1/access-review-items/:id/advice",
    path: () => "/api/v1/access-review-items/rvi_input_sweep_missing/advice",
    body: (tag) => ({ advice: "keep", justification: `Probe ${tag}` }),
    text: [{ field: "justification", multiLine: true }],
    duplicate: () => ["advice", "revoke"],
  },
];

/** API writes that take no body: the duplicate-key and text probes have nothing to send them. */
export const bodylessApiWrites = new Set([
  "POST /api/v1/users/:id/deactivate",
  "POST /api/v1/users/:id/reactivate",
  "POST /api/v1/users/:id/setup-link",
  "DELETE /api/v1/me/tokens/:id",
  "DELETE /api/v1/memberships/:id",
  "DELETE /api/v1/access-groups/:id",
  "DELETE /api/v1/tenants/:id/updates/:updateId",
  "DELETE /api/v1/tenants/:id/members/:membershipId",
  "POST /api/v1/access-reviews/:id/stop",
  "POST /api/v1/access-reviews/:id/start",
]);

/** A copy of `body` with `value` at the dotted `path` ("users.0.firstName"). */
export function withValue(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = path.split(".");
  let node = copy as Record<string, unknown>;
  for (let index = 0; index < keys.length - 1; index += 1) {
    const key = keys[index] as string;
    node[key] ??= /^\d+$/.test(keys[index + 1] as string) ? [] : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
  return copy;
}

/** The body as JSON text with one top-level key twice: `{"role":"OPERATOR",…,"role":"SUPER_ADMIN"}`. */
export function bodyWithDuplicateKey(spec: ApiWriteSpec, tag: string, ids: ProbeIds): string {
  const body = spec.body(tag, ids);
  const [key, second] = spec.duplicate(ids);
  if (!(key in body)) throw new Error(`${spec.route}: the duplicated key ${key} is not in its body`);
  const rest = spec.partial ? [] : Object.entries(body).filter(([name]) => name !== key);
  const members = [[key, body[key]], ...rest, [key, second]].map(
    ([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`,
  );
  return `{${members.join(",")}}`;
}
