// Checking a POST or PUT body against the schemas (RFC 7643 §2, RFC 7644 §3.3 and §3.5.1), and the
// value coercion PATCH shares. Names are matched case-insensitively and written back in their
// canonical case; unknown attributes are dropped and readOnly ones ignored, as RFC 7644 §3.5.1 asks
// of a PUT. Entra's default dialect sends booleans as the strings "True" and "False"; they are read
// as booleans.

import { AppError } from "../../errors";
import { getMember, isRecord } from "./scim-filter";
import {
  type AttributeDefinition,
  commonAttributes,
  findDefinition,
  findExtension,
  type ResourceSchema,
} from "./scim-schemas";

const invalid = (detail: string) => new AppError("SCIM_INVALID_VALUE", { detail });
const describeValue = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "an array" : typeof value);

/** Whether a value counts as unassigned (RFC 7643 §2.5: null and empty arrays are). */
export const isUnassigned = (value: unknown) =>
  value === undefined || value === null || (Array.isArray(value) && value.length === 0);

function coerceSimple(definition: AttributeDefinition, value: unknown, where: string): unknown {
  const { type } = definition;
  if (type === "boolean") {
    if (typeof value === "boolean") return value;
    const text = typeof value === "string" ? value.toLowerCase() : "";
    if (text === "true" || text === "false") return text === "true";
  } else if (type === "integer" || type === "decimal") {
    if (typeof value === "number" && (type === "decimal" || Number.isInteger(value))) return value;
  } else if (typeof value === "string") {
    if (type !== "dateTime" || !Number.isNaN(Date.parse(value))) return value;
  }
  throw invalid(`'${where}' must be ${type === "integer" ? "an" : "a"} ${type}, not ${describeValue(value)}`);
}

/**
 * One value (not a list) of an attribute. A complex value keeps its known, writable sub-attributes
 * under their canonical names; a bare string given for a complex attribute with a "value"
 * sub-attribute is read as { value } (Entra sends the manager's id that way).
 */
export function coerceSingleValue(definition: AttributeDefinition, value: unknown, where: string): unknown {
  if (definition.type !== "complex") return coerceSimple(definition, value, where);
  const object = typeof value === "string" && findDefinition(definition.subAttributes, "value") ? { value } : value;
  if (!isRecord(object)) throw invalid(`'${where}' must be an object, not ${describeValue(value)}`);
  const result: Record<string, unknown> = {};
  for (const [key, subValue] of Object.entries(object)) {
    const sub = findDefinition(definition.subAttributes, key);
    if (!sub || sub.mutability === "readOnly" || subValue === null) continue;
    result[sub.name] = coerceSimple(sub, subValue, `${where}.${sub.name}`);
  }
  return result;
}

/** A whole attribute's value: a list for a multi-valued one (a single item is wrapped). */
export function coerceAttributeValue(
  definition: AttributeDefinition,
  value: unknown,
  where = definition.name,
): unknown {
  if (!definition.multiValued) {
    // A one-item list for a single-valued attribute is read as its item, as a manager sent like members.
    const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
    return coerceSingleValue(definition, single, where);
  }
  const items = [value].flat().map((item) => coerceSingleValue(definition, item, where));
  if (items.filter((item) => isRecord(item) && item.primary === true).length > 1) {
    throw invalid(`Only one of '${where}' may be primary`);
  }
  return items;
}

/** Copies the writable, known attributes of `input` into `output` under their canonical names. */
function copyAttributes(
  input: Record<string, unknown>,
  definitions: AttributeDefinition[],
  output: Record<string, unknown>,
  prefix: string,
): void {
  for (const [key, value] of Object.entries(input)) {
    const definition = findDefinition(definitions, key);
    // readOnly values are the server's to set (RFC 7644 §3.5.1); the password is accepted and
    // discarded, since Gatehouse users choose their own.
    if (!definition || definition.mutability === "readOnly" || definition.name === "password") continue;
    if (isUnassigned(value)) continue;
    output[definition.name] = coerceAttributeValue(definition, value, `${prefix}${definition.name}`);
  }
}

export function validateResourceInput(
  input: unknown,
  schemas: ResourceSchema[],
  options: { mode: "create" | "replace" },
): Record<string, unknown> {
  const [core] = schemas;
  if (!core) throw new Error("validateResourceInput needs the resource's core schema");
  if (!isRecord(input)) throw new AppError("SCIM_INVALID_SYNTAX", { detail: "The body must be a JSON object" });
  const declared = input.schemas;
  if (
    !Array.isArray(declared) ||
    !declared.some((urn) => typeof urn === "string" && urn.toLowerCase() === core.id.toLowerCase())
  ) {
    throw new AppError("SCIM_INVALID_SYNTAX", { detail: `'schemas' must list ${core.id}` });
  }
  const output: Record<string, unknown> = { schemas: [core.id] };
  const coreInput = Object.fromEntries(Object.entries(input).filter(([key]) => !findExtension(schemas, key)));
  copyAttributes(coreInput, [...core.attributes, ...commonAttributes], output, "");
  for (const [key, value] of Object.entries(input)) {
    const extension = findExtension(schemas, key);
    if (!extension || isUnassigned(value)) continue;
    if (!isRecord(value)) throw invalid(`'${extension.id}' must be an object, not ${describeValue(value)}`);
    const attributes: Record<string, unknown> = {};
    copyAttributes(value, extension.attributes, attributes, `${extension.id}:`);
    if (Object.keys(attributes).length === 0) continue;
    output[extension.id] = attributes;
    (output.schemas as string[]).push(extension.id);
  }
  for (const definition of core.attributes) {
    const value = output[definition.name];
    if (definition.required && (value === undefined || value === "")) {
      const verb = options.mode === "create" ? "create" : "replace";
      throw invalid(`'${definition.name}' is required to ${verb} a ${core.name}`);
    }
  }
  return output;
}

/** The Gatehouse email of a SCIM user: the primary entry of `emails`, else the `work` one, else the first. */
export function findPrimaryOrWorkEmail(resource: Record<string, unknown>): string | null {
  const emails = [getMember(resource, "emails")]
    .flat()
    .filter((email): email is Record<string, unknown> => isRecord(email) && typeof email.value === "string")
    .filter((email) => (email.value as string).trim() !== "");
  const chosen =
    emails.find((email) => email.primary === true) ??
    emails.find((email) => typeof email.type === "string" && email.type.toLowerCase() === "work") ??
    emails[0];
  return chosen ? (chosen.value as string).trim() : null;
}
