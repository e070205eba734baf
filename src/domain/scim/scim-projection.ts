// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) over a full SCIM resource, with
// each attribute's `returned` characteristic (RFC 7643 §2.4): "always" is kept whatever was asked,
// "never" is never sent, "request" only when named in `attributes`.

import { AppError } from "../../errors";
import { type AttributePath, isRecord, parseAttributePath } from "./scim-filter";
import {
  type AttributeDefinition,
  attributesOf,
  findDefinition,
  findExtension,
  type ResourceSchema,
  scimLimits,
} from "./scim-schemas";

export interface ProjectionOptions {
  attributes: AttributePath[] | null;
  excludedAttributes: AttributePath[] | null;
}

/** A comma-separated attribute list; null when absent or empty. */
export function parseAttributeList(text: string | undefined): AttributePath[] | null {
  if (!text?.trim()) return null;
  if (text.length > scimLimits.maxFilterLength) {
    throw new AppError("SCIM_INVALID_PATH", {
      detail: `The attribute list is longer than ${scimLimits.maxFilterLength} characters`,
    });
  }
  return text
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) => parseAttributePath(name));
}

const fullName = (path: AttributePath) => (path.uri ? `${path.uri}:${path.attribute}` : path.attribute);

/** The paths of a list that name an attribute of the schema `uri` (lower-cased), or that whole schema. */
function pathsFor(list: AttributePath[], uri: string, isCore: boolean, attribute: string) {
  return list.filter(
    (path) =>
      fullName(path) === uri ||
      (path.attribute === attribute.toLowerCase() && (path.uri === undefined ? isCore : path.uri === uri)),
  );
}

/** Keeps (or drops) the named sub-attributes of a complex value or of each item of a multi-valued one. */
function selectSubAttributes(value: unknown, names: string[], keep: boolean): unknown {
  const select = (item: unknown) =>
    isRecord(item)
      ? Object.fromEntries(Object.entries(item).filter(([key]) => names.includes(key.toLowerCase()) === keep))
      : item;
  return Array.isArray(value) ? value.map(select) : select(value);
}

function projectValue(
  value: unknown,
  definition: AttributeDefinition | undefined,
  where: { uri: string; isCore: boolean; name: string },
  options: ProjectionOptions,
): unknown {
  const returned = definition?.returned ?? "default";
  if (returned === "never") return undefined;
  if (returned === "always") return value;
  if (options.attributes) {
    const asked = pathsFor(options.attributes, where.uri, where.isCore, where.name);
    if (asked.length === 0) return undefined;
    const subs = asked.map((path) => path.subAttribute);
    return subs.includes(undefined) ? value : selectSubAttributes(value, subs as string[], true);
  }
  if (returned === "request") return undefined;
  const excluded = pathsFor(options.excludedAttributes ?? [], where.uri, where.isCore, where.name);
  const subs = excluded.map((path) => path.subAttribute);
  if (subs.includes(undefined)) return undefined;
  return subs.length > 0 ? selectSubAttributes(value, subs as string[], false) : value;
}

export function projectResource(
  resource: Record<string, unknown>,
  options: ProjectionOptions,
  schemas: ResourceSchema[],
): Record<string, unknown> {
  const [core] = schemas;
  if (!core) throw new Error("projectResource needs the resource's core schema");
  const coreAttributes = attributesOf([core]);
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(resource)) {
    const extension = findExtension(schemas, name);
    const projected =
      name === "schemas"
        ? value
        : extension
          ? projectExtension(value, extension, options)
          : projectValue(
              value,
              findDefinition(coreAttributes, name),
              { uri: core.id.toLowerCase(), isCore: true, name },
              options,
            );
    if (projected !== undefined) result[name] = projected;
  }
  return result;
}

/** An extension's object with its attributes projected, or undefined when none is left. */
function projectExtension(value: unknown, extension: ResourceSchema, options: ProjectionOptions) {
  if (!isRecord(value)) return undefined;
  const uri = extension.id.toLowerCase();
  const entries = Object.entries(value).flatMap(([name, inner]) => {
    const projected = projectValue(
      inner,
      findDefinition(extension.attributes, name),
      { uri, isCore: false, name },
      options,
    );
    return projected === undefined ? [] : [[name, projected] as const];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** Whether a response is to carry an attribute ("members", "urn:…:manager"), so a caller can skip reading it. */
export function isAttributeRequested(name: string, options: ProjectionOptions): boolean {
  const path = parseAttributePath(name);
  const same = (other: AttributePath) =>
    other.attribute === path.attribute && (other.uri === undefined || path.uri === undefined || other.uri === path.uri);
  if (options.attributes) return options.attributes.some(same);
  return !(options.excludedAttributes ?? []).some((other) => same(other) && other.subAttribute === undefined);
}
