// A provisioned user as SCIM sees it (RFC 7643 §4.1) and back (docs/PRODUCT.md "Provisioning").
// Out: the Gatehouse user and the directory's link become one User document. In: a validated User
// document becomes the fields Gatehouse owns (email, names, active) and the ones it only keeps
// (directory_users.attributes). Pure: no store, no clock.
import type * as z from "zod";
import { AppError } from "../../errors";
import { singleLineTextSchema } from "../text";
import type { UserRow } from "../users/users";
import { displayNameSchema, emailSchema, firstNameSchema, lastNameSchema } from "../users/users";
import { findPrimaryOrWorkEmail } from "./scim-resource-validation";
import { enterpriseUserSchemaUrn, userSchemaUrn } from "./scim-schemas";

export type ScimDocument = Record<string, unknown>;

export interface ScimUserRecord {
  user: Pick<UserRow, "id" | "email" | "firstName" | "lastName" | "displayName" | "deactivatedAt" | "updatedAt">;
  link: {
    userName: string;
    externalId: string | null;
    attributes: Record<string, unknown>;
    createdAt: Date;
    updatedAt: Date;
  };
  groups: Array<{ id: string; displayName: string }>;
}

/** What a User document asks of Gatehouse. */
export interface ScimUserInput {
  userName: string;
  userNameKey: string;
  externalId: string | null;
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  /** Null when the document does not say: a create reads it as true, a PUT keeps the user's state. */
  active: boolean | null;
  attributes: Record<string, unknown>;
}

/** Attributes Gatehouse answers from its own columns; everything else a directory sends is kept as sent. */
const ownedAttributes = new Set(
  [
    "schemas",
    "id",
    "externalId",
    "userName",
    "name",
    "displayName",
    "emails",
    "active",
    "password",
    "groups",
    "meta",
  ].map((name) => name.toLowerCase()),
);
const ownedNameParts = new Set(["givenname", "familyname", "formatted"]);

const userNameSchema = singleLineTextSchema("userName")
  .min(1, "userName is required.")
  .max(320, "userName is too long.");
const externalIdSchema = singleLineTextSchema("externalId").max(256, "externalId is too long.");

export function userNameKeyOf(userName: string): string {
  return userName.toLowerCase();
}

export function toScimUser(record: ScimUserRecord, baseUrl: string): ScimDocument {
  const { user, link } = record;
  const { name: keptName, ...kept } = link.attributes;
  const lastModified = Math.max(user.updatedAt.getTime(), link.updatedAt.getTime());
  return {
    schemas: enterpriseUserSchemaUrn in kept ? [userSchemaUrn, enterpriseUserSchemaUrn] : [userSchemaUrn],
    id: user.id,
    ...(link.externalId === null ? {} : { externalId: link.externalId }),
    userName: link.userName,
    name: {
      ...(isObject(keptName) ? keptName : {}),
      givenName: user.firstName,
      familyName: user.lastName,
      formatted: `${user.firstName} ${user.lastName}`,
    },
    displayName: user.displayName,
    emails: [{ value: user.email, type: "work", primary: true }],
    active: user.deactivatedAt === null,
    ...kept,
    groups: [...record.groups]
      .sort((a, b) => a.displayName.localeCompare(b.displayName))
      .map((group) => ({ value: group.id, display: group.displayName, $ref: `${baseUrl}/Groups/${group.id}` })),
    meta: {
      resourceType: "User",
      created: link.createdAt.toISOString(),
      lastModified: new Date(lastModified).toISOString(),
      location: `${baseUrl}/Users/${user.id}`,
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A member of the document by name, whatever its case (RFC 7643 §2.1: attribute names are case-insensitive). */
function member(document: Record<string, unknown>, name: string): unknown {
  const wanted = name.toLowerCase();
  const key = Object.keys(document).find((candidate) => candidate.toLowerCase() === wanted);
  return key === undefined ? undefined : document[key];
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

function checked<T>(schema: z.ZodType<T>, value: unknown, attribute: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AppError("SCIM_INVALID_VALUE", {
    detail: `${attribute}: ${parsed.error.issues[0]?.message ?? "not a valid value"}`,
  });
}

/** The primary email, else the `work` one, else the first; then a userName that is an email. */
function chooseEmail(document: ScimDocument, userName: string): string {
  const chosen = text(findPrimaryOrWorkEmail(document));
  if (chosen) return checked(emailSchema, chosen, "emails");
  if (emailSchema.safeParse(userName).success) return checked(emailSchema, userName, "userName");
  throw new AppError("SCIM_INVALID_VALUE", {
    detail: "Send an email: Gatehouse needs one for every user (in emails, or a userName that is an email address).",
  });
}

/**
 * First and last name: name.givenName and name.familyName; missing ones come from displayName's
 * words, else from userName's local part ("jane.doe@…" → jane, doe); a single word is both.
 */
function chooseNames(document: ScimDocument, userName: string, display: string | null) {
  const name = member(document, "name");
  const given = isObject(name) ? text(member(name, "givenName")) : null;
  const family = isObject(name) ? text(member(name, "familyName")) : null;
  if (given && family) return { given, family };
  const source = display ?? userName.split("@")[0] ?? userName;
  const words = source.split(display ? /\s+/ : /[\s._-]+/).filter((word) => word !== "");
  const firstWord = words[0] ?? userName;
  return {
    given: given ?? firstWord,
    family: family ?? (words.length > 1 ? words.slice(1).join(" ") : (given ?? firstWord)),
  };
}

function readActive(value: unknown): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value;
  // Entra's default dialect sends booleans as the strings "True" and "False".
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  throw new AppError("SCIM_INVALID_VALUE", { detail: "active: send true or false." });
}

/** What Gatehouse keeps but does not use: every attribute it does not own, name's other parts, never the password. */
function keptAttributes(document: ScimDocument): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    if (!ownedAttributes.has(key.toLowerCase()) && value !== null && value !== undefined) kept[key] = value;
  }
  const name = member(document, "name");
  if (isObject(name)) {
    const parts = Object.entries(name).filter(
      ([key, value]) => !ownedNameParts.has(key.toLowerCase()) && value !== null,
    );
    if (parts.length > 0) kept.name = Object.fromEntries(parts);
  }
  return kept;
}

/** A validated User document as Gatehouse's fields; a value Gatehouse refuses is SCIM_INVALID_VALUE naming the attribute. */
export function readScimUserInput(document: ScimDocument): ScimUserInput {
  const userName = checked(userNameSchema, member(document, "userName") ?? "", "userName");
  const externalIdValue = member(document, "externalId");
  const externalId =
    externalIdValue === undefined || externalIdValue === null
      ? null
      : checked(externalIdSchema, externalIdValue, "externalId") || null;
  const name = member(document, "name");
  const display = text(member(document, "displayName")) ?? (isObject(name) ? text(member(name, "formatted")) : null);
  const names = chooseNames(document, userName, display);
  const firstName = checked(firstNameSchema, names.given, "name.givenName");
  const lastName = checked(lastNameSchema, names.family, "name.familyName");
  return {
    userName,
    userNameKey: userNameKeyOf(userName),
    externalId,
    email: chooseEmail(document, userName),
    firstName,
    lastName,
    displayName: checked(displayNameSchema, display ?? `${firstName} ${lastName}`, "displayName"),
    active: readActive(member(document, "active")),
    attributes: keptAttributes(document),
  };
}
