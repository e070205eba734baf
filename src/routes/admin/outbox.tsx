// Admin → Outbox (docs/PRODUCT.md §7, §9): the queued emails and their delivery state. SUPER_ADMIN only:
// bodies can carry live setup links, which no access group may hand out. A message's HTML is
// previewed from a route of its own, which src/http/security-headers.ts sandboxes.
import { Hono } from "hono";
import { OutboxMessagePage } from "../../../views/pages/admin/outbox-message-page";
import { OutboxPage } from "../../../views/pages/admin/outbox-page";
import { findOutboxMessage, listOutboxQuerySchema, readOutboxPage } from "../../domain/outbox";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppEnv, domainContext } from "../../http/app-env";

/**
 * The preview opens links in a new window, which the sandbox (no allow-popups) refuses: a click
 * in the preview goes nowhere, so a live setup link in it is never followed by accident. The first
 * <base> wins, so it goes first in <head> (or first of all when there is none).
 */
function makeLinksInert(html: string): string {
  const inert = '<base target="_blank">';
  const head = /<head(?:\s[^>]*)?>/i.exec(html);
  if (!head) return inert + html;
  const at = head.index + head[0].length;
  return html.slice(0, at) + inert + html.slice(at);
}

const forbiddenDetail = "Only a Super admin can read the outbox: its messages can contain live setup links.";

export const adminOutboxRoutes = new Hono<AppEnv>()
  .use(requireAccess({ kind: "console" }), requireAccess({ kind: "instance-admin" }, { forbiddenDetail }))
  .get("/", async (c) => {
    const principal = currentPrincipal(c);
    const raw = c.req.query();
    const parsed = listOutboxQuerySchema.safeParse({
      status: raw.status || undefined,
      cursor: raw.cursor || undefined,
      limit: raw.limit || undefined,
    });
    if (!parsed.success) throw new AppError("VALIDATION_FAILED", { detail: "These filters are not valid." });
    const ctx = domainContext(c);
    const { page, counts } = await readOutboxPage(ctx, parsed.data);
    const nextParams = new URLSearchParams({
      ...(raw.status ? { status: raw.status } : {}),
      ...(raw.limit ? { limit: raw.limit } : {}),
    });
    if (page.nextCursor) nextParams.set("cursor", page.nextCursor);
    return c.render(
      <OutboxPage
        timeZone={principal.user.timeZone}
        provider={c.get("config").EMAIL_PROVIDER}
        rows={page.items}
        status={parsed.data.status ?? ""}
        counts={counts}
        nextPageHref={page.nextCursor ? `/admin/outbox?${nextParams.toString()}` : null}
      />,
      { title: "Outbox" },
    );
  })
  .get("/:id/preview", async (c) => {
    const message = await findOutboxMessage(domainContext(c), c.req.param("id"));
    if (!message) throw new AppError("NOT_FOUND");
    return c.html(makeLinksInert(message.htmlBody));
  })
  .get("/:id", async (c) => {
    const principal = currentPrincipal(c);
    const message = await findOutboxMessage(domainContext(c), c.req.param("id"));
    if (!message) throw new AppError("NOT_FOUND");
    return c.render(<OutboxMessagePage timeZone={principal.user.timeZone} message={message} />, {
      title: message.subject,
    });
  });
