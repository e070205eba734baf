// One-time messages after Post/Redirect/Get (docs/ARCHITECTURE.md "Feedback after a form"). A form
// handler acts, sets a flash and redirects; the page the redirect leads to takes it (reading deletes
// it) and shows it next to what it concerns. A reload shows the page without it and resubmits
// nothing. The flash may carry a secret shown once (a setup link, an API token): it travels only
// in this cookie, sealed with SECRETS_KEYS (auth/secrets.ts) and bound to the signed-in user, and
// is never stored on the server.
import * as z from "zod";
import { decryptSecret, encryptSecret } from "../auth/secrets";
import type { AppContext } from "./app-env";
import { clearCookie, readCookie, writeCookie } from "./cookies";

/** What a flash's secret is: each page takes only its own kind (a directory token: for that directory). */
const secretKinds = ["setup-link", "api-token", "recovery-codes", "directory-token", "webhook-secret"] as const;

const flashSchema = z.object({
  message: z.string().max(500),
  tone: z.enum(["success", "warning"]),
  /** The id of the element the message concerns (a table row, a section): the page shows it there. */
  near: z.string().max(100).optional(),
  /** A value shown once on the page the redirect leads to, for `subject` (a user id, a token id) only. */
  secret: z
    .object({
      kind: z.enum(secretKinds),
      subject: z.string().max(100),
      value: z.string().max(1000),
    })
    .optional(),
});

export type Flash = z.infer<typeof flashSchema>;

/** Seals each flash to its reader: a flash set for one user never opens for another. */
function purposeOf(c: AppContext): string {
  return `flash:${c.get("principal")?.user.id ?? "anonymous"}`;
}

/** Sets the message the next page shows. Call it right before the redirect. */
export async function setFlash(c: AppContext, flash: Flash): Promise<void> {
  const sealed = await encryptSecret(c.get("config").SECRETS_KEYS, JSON.stringify(flash), purposeOf(c));
  writeCookie(c, "flash", sealed);
}

/** The message set by the form before, once: reading it deletes it. Anything altered or foreign reads as none. */
export async function takeFlash(c: AppContext): Promise<Flash | undefined> {
  const sealed = readCookie(c, "flash");
  if (sealed === undefined) return undefined;
  clearCookie(c, "flash");
  try {
    const parsed = flashSchema.safeParse(
      JSON.parse(await decryptSecret(c.get("config").SECRETS_KEYS, sealed, purposeOf(c))),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The secret a flash carries for this subject (the user whose link it is), if it carries one. */
export function takeSecret(
  flash: Flash | undefined,
  kind: (typeof secretKinds)[number],
  subject: string,
): string | null {
  return flash?.secret?.kind === kind && flash.secret.subject === subject ? flash.secret.value : null;
}
