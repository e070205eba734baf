// What `npm run scim:directory` does, apart from reaching the database (scripts/scim-directory.ts):
// read `--tenant <slug>` or `--staff` and an optional `--name`, create the directory through
// createDirectory (the system actor, so it is audited like the console's), and say what to paste
// into the identity provider. Refusals come back as one line a person can act on.

import type { DomainContext } from "../src/domain/context";
import { createDirectory } from "../src/domain/directories/directories";
import { findTenantBySlug } from "../src/domain/tenants/tenants";
import { AppError } from "../src/errors";

export const scimDirectoryUsage =
  'usage: npm run scim:directory -- --tenant <slug> [--name "…"]\n       npm run scim:directory -- --staff [--name "…"]';

export type ScimDirectoryRequest =
  | { scope: "staff"; name: string | null }
  | { scope: "tenant"; slug: string; name: string | null };

/** A refusal the command prints as it is (no stack): bad arguments, an unknown slug, a directory that exists. */
export class CommandRefusal extends Error {}

/** The value of `--flag value` or `--flag=value`; undefined when the flag is absent. */
function readOption(argv: readonly string[], flag: string): string | undefined {
  const inline = argv.find((argument) => argument.startsWith(`${flag}=`));
  if (inline !== undefined) return inline.slice(flag.length + 1);
  const at = argv.indexOf(flag);
  if (at === -1) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith("--"))
    throw new CommandRefusal(`${flag} needs a value.\n${scimDirectoryUsage}`);
  return value;
}

const knownFlags = ["--tenant", "--staff", "--name"];

export function parseScimDirectoryArguments(argv: readonly string[]): ScimDirectoryRequest {
  const unknown = argv.find(
    (argument) => argument.startsWith("--") && !knownFlags.includes(argument.split("=")[0] ?? ""),
  );
  if (unknown) throw new CommandRefusal(`Unknown option ${unknown}.\n${scimDirectoryUsage}`);
  const slug = readOption(argv, "--tenant");
  const staff = argv.includes("--staff");
  const name = readOption(argv, "--name") ?? null;
  if (staff === (slug !== undefined)) {
    throw new CommandRefusal(`Say whose directory it is: --tenant <slug> or --staff, not both.\n${scimDirectoryUsage}`);
  }
  return slug !== undefined ? { scope: "tenant", slug, name } : { scope: "staff", name };
}

function describeRefusal(error: AppError): string {
  const fields = error.fieldErrors.map((item) => item.message);
  return error.detail ?? (fields.length > 0 ? fields.join(" ") : error.title);
}

/** Creates the directory and answers the lines to print: its SCIM base URL and its token, once. */
export async function createDirectoryForCommand(ctx: DomainContext, request: ScimDirectoryRequest): Promise<string> {
  try {
    const tenant = request.scope === "tenant" ? await findTenantBySlug(ctx, request.slug) : null;
    if (request.scope === "tenant" && !tenant) {
      throw new CommandRefusal(
        `No tenant has the slug "${request.slug}". Its slug is on its page under Admin → Tenants.`,
      );
    }
    const created = tenant
      ? await createDirectory(ctx, {
          scope: "tenant",
          tenantId: tenant.id,
          name: request.name ?? `${tenant.name} directory`,
        })
      : await createDirectory(ctx, { scope: "staff", name: request.name ?? "Staff directory" });
    return [
      `gatehouse: created the directory "${created.directory.name}" for ${created.tenantName ?? "the staff"}.`,
      "Give the identity provider these two values (the token is shown only now; replace it on the directory's page if it is lost):",
      "",
      `  SCIM base URL: ${created.scimBaseUrl}`,
      `  Bearer token:  ${created.secret}`,
      "",
    ].join("\n");
  } catch (error) {
    if (error instanceof AppError) throw new CommandRefusal(describeRefusal(error));
    if (isMissingTable(error)) {
      throw new CommandRefusal(
        "The local database has no tables yet. Run `npm start` once first (with the same GATEHOUSE_STATE_DIR, if you set one).",
      );
    }
    throw error;
  }
}

/** A database `npm start` never migrated: drizzle wraps the driver's "no such table". */
function isMissingTable(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (/no such table/i.test(cause.message)) return true;
  }
  return false;
}
