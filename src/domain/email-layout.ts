// One layout for every email Gatehouse sends (docs/PRODUCT.md "Emails"): a greeting by the
// person's name, what happened, one call-to-action button, what to know after it, and a footer that
// says why the person got the email. Rendered twice from the same parts: a plain-text alternative
// (the link alone on its line) and HTML for mail clients, which ignore <style> and block remote
// images, so the HTML has inline styles only, no image and no web font, and the button is a table
// cell with a link (it survives Outlook's Word renderer). Every value goes through hono/html's
// escaping: names, tenant names and URLs are never pasted into markup by hand.
import { html } from "hono/html";

/** Someone named in an email: by name, and by address when they have one (a directory has none). */
export interface EmailPerson {
  name: string;
  email: string | null;
}

export interface EmailParts {
  appName: string;
  /** The recipient's first name; null or the product's own name greets with "Hello,". */
  recipientName: string | null;
  /** What happened, before the button. */
  intro: string[];
  action: { label: string; url: string };
  /** What to know after the button: until when the link works, whom to ask. */
  outro: string[];
  /** Why the person got this email, one sentence. */
  footer: string;
}

/** "Alice Admin (alice@example.com)", or the name alone for someone without an address. */
export function nameWithEmail(person: EmailPerson): string {
  return person.email ? `${person.name} (${person.email})` : person.name;
}

/**
 * "Hello Casey," — never "Hello Gatehouse,": the first administrator's name defaults to the
 * product's (src/domain/invites/bootstrap.ts), and a name may be missing.
 */
export function greet(recipientName: string | null, appName: string): string {
  const name = recipientName?.trim() ?? "";
  const productNames = [appName.trim().toLowerCase(), "gatehouse"];
  return name === "" || productNames.includes(name.toLowerCase()) ? "Hello," : `Hello ${name},`;
}

// Written out here: ICU versions disagree on short month names ("Sep" or "Sept").
const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const emailTimeFormats = new Map<string, Intl.DateTimeFormat>();

function emailTimeFormatFor(locale: "en-GB" | "en-US", timeZone: string): Intl.DateTimeFormat {
  const key = `${locale} ${timeZone}`;
  let format = emailTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone,
      day: "numeric",
      month: "numeric",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    emailTimeFormats.set(key, format);
  }
  return format;
}

function partsOf(date: Date, locale: "en-GB" | "en-US", timeZone: string) {
  const parts = emailTimeFormatFor(locale, timeZone).formatToParts(date);
  return (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? "";
}

/**
 * "11 Jan 2027, 17:00 CET" in the recipient's zone; UTC when they have none or it is not a zone.
 * The zone's abbreviation comes from British English (CET, BST) or else American (EST, PDT); a
 * zone known by neither is written as an offset ("UTC+9").
 */
export function formatEmailTime(date: Date, timeZone: string | null | undefined): string {
  let zone = timeZone || "UTC";
  let part: ReturnType<typeof partsOf>;
  try {
    part = partsOf(date, "en-GB", zone);
  } catch {
    zone = "UTC";
    part = partsOf(date, "en-GB", zone);
  }
  let zoneName = part("timeZoneName");
  if (zoneName.startsWith("GMT") && zone !== "UTC") {
    const american = partsOf(date, "en-US", zone)("timeZoneName");
    zoneName = /^[A-Z]{2,5}$/.test(american) ? american : zoneName.replace("GMT", "UTC");
  }
  if (zoneName === "GMT" && zone === "UTC") zoneName = "UTC";
  const month = monthNames[Number(part("month")) - 1];
  return `${Number(part("day"))} ${month} ${part("year")}, ${part("hour")}:${part("minute")} ${zoneName}`;
}

export function renderEmailText(parts: EmailParts): string {
  return [
    greet(parts.recipientName, parts.appName),
    ...parts.intro,
    `${parts.action.label}:\n${parts.action.url}`,
    ...parts.outro,
    `-- \n${parts.footer}`,
  ].join("\n\n");
}

const font = "font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif";
const textStyle = `margin:0 0 16px;${font};font-size:16px;line-height:24px;color:#1b1f24`;
const accent = "#0a5bd3";

function paragraph(text: string) {
  return html`<p style="${textStyle}">${text}</p>`;
}

function button(action: EmailParts["action"]) {
  return html`<table role="presentation" border="0" cellpadding="0" cellspacing="0" style="margin:8px 0 24px;border-collapse:separate">
<tr><td align="center" bgcolor="${accent}" style="border-radius:6px;background-color:${accent}">
<a href="${action.url}" target="_blank" style="display:inline-block;padding:12px 24px;border:1px solid ${accent};border-radius:6px;${font};font-size:16px;font-weight:600;line-height:24px;color:#ffffff;text-decoration:none">${action.label}</a>
</td></tr></table>`;
}

export async function renderEmailHtml(parts: EmailParts, subject: string): Promise<string> {
  const document = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${subject}</title></head>
<body style="margin:0;padding:0;background-color:#f6f8fa">
<table role="presentation" width="100%" border="0" cellpadding="0" cellspacing="0" style="background-color:#f6f8fa">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" border="0" cellpadding="0" cellspacing="0" style="max-width:560px;background-color:#ffffff;border:1px solid #d0d7de;border-radius:8px">
<tr><td style="padding:20px 32px 0;${font};font-size:14px;font-weight:600;letter-spacing:0.02em;color:#57606a">${parts.appName}</td></tr>
<tr><td style="padding:16px 32px 8px">
${paragraph(greet(parts.recipientName, parts.appName))}
${parts.intro.map(paragraph)}
${button(parts.action)}
${parts.outro.map(paragraph)}
<p style="margin:0 0 16px;${font};font-size:13px;line-height:20px;color:#57606a">If the button does not work, copy this link into your browser:<br><a href="${parts.action.url}" style="color:${accent};word-break:break-all">${parts.action.url}</a></p>
</td></tr>
<tr><td style="padding:16px 32px 24px;border-top:1px solid #d0d7de;${font};font-size:13px;line-height:20px;color:#57606a">${parts.footer}</td></tr>
</table>
</td></tr></table>
</body></html>`;
  return (await document).toString();
}
