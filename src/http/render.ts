import type { Context } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";

type Renderable = HtmlEscapedString | Promise<HtmlEscapedString>;

/** hono/jsx emits no doctype by itself; every page goes through here. */
export function renderPage(c: Context, page: Renderable, status: ContentfulStatusCode = 200) {
  return c.html(html`<!DOCTYPE html>${page}`, status);
}
