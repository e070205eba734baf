// The emails Gatehouse sends, as text and simple HTML. Plain and clear: what happened, the link,
// who did it, and until when the link works. The HTML part is escaped by hono/html. Subjects
// built from names go through toHeaderLine: rows written before the text rules may still hold a
// line break (docs/SECURITY.md "Text input").
import { html } from "hono/html";
import { toHeaderLine } from "./text";

export interface EmailMessage {
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

async function renderHtml(paragraphs: Array<string | { link: string }>): Promise<string> {
  const body = paragraphs.map((part) =>
    typeof part === "string" ? html`<p>${part}</p>` : html`<p><a href="${part.link}">${part.link}</a></p>`,
  );
  return (
    await html`<!DOCTYPE html><html><body style="font-family: sans-serif; line-height: 1.5">${body}</body></html>`
  ).toString();
}

export async function buildInviteEmail(input: {
  to: string;
  firstName: string;
  invitedBy: string;
  setupUrl: string;
  expiresAt: Date;
  resent: boolean;
}): Promise<EmailMessage> {
  const parts = [
    `Hello ${input.firstName},`,
    input.resent
      ? `${input.invitedBy} sent you a new Gatehouse setup link. Any earlier link no longer works.`
      : `${input.invitedBy} invited you to Gatehouse.`,
    "Open this link to choose your password and set up your authenticator app:",
    { link: input.setupUrl },
    `The link works once and expires at ${formatUtc(input.expiresAt)}. If it has expired, ask ${input.invitedBy} for a new one.`,
  ];
  return {
    kind: input.resent ? "invite_resent" : "invite",
    to: input.to,
    subject: input.resent ? "Your new Gatehouse setup link" : "You are invited to Gatehouse",
    text: parts.map((part) => (typeof part === "string" ? part : part.link)).join("\n\n"),
    html: await renderHtml(parts),
  };
}

export async function buildTwoFactorResetEmail(input: {
  to: string;
  firstName: string;
  resetBy: string;
  setupUrl: string;
  expiresAt: Date;
}): Promise<EmailMessage> {
  const parts = [
    `Hello ${input.firstName},`,
    `${input.resetBy} reset the two-factor authentication of your Gatehouse account. Your sessions were ended and your old authenticator no longer works.`,
    "To sign in again, open this link, confirm your password and enroll a new authenticator:",
    { link: input.setupUrl },
    `The link works once and expires at ${formatUtc(input.expiresAt)}. If you did not ask for this, tell your administrator at once.`,
  ];
  return {
    kind: "two_factor_reset",
    to: input.to,
    subject: "Your Gatehouse two-factor authentication was reset",
    text: parts.map((part) => (typeof part === "string" ? part : part.link)).join("\n\n"),
    html: await renderHtml(parts),
  };
}

export async function buildSecurityNoticeEmail(input: {
  to: string;
  firstName: string;
  subject: string;
  message: string;
}): Promise<EmailMessage> {
  const parts = [`Hello ${input.firstName},`, input.message, "If this was not you, tell your administrator at once."];
  return {
    kind: "security_notice",
    to: input.to,
    subject: toHeaderLine(input.subject),
    text: parts.join("\n\n"),
    html: await renderHtml(parts),
  };
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** "in 7 days", "in 1 day", "in 5 hours": the real time left, since a run can be late or a membership short. */
export function describeTimeLeft(expiresAt: Date, now: Date): string {
  const leftMs = Math.max(0, expiresAt.getTime() - now.getTime());
  if (leftMs >= 1.5 * dayMs) return `in ${Math.round(leftMs / dayMs)} days`;
  if (leftMs >= 20 * hourMs) return "in 1 day";
  const hours = Math.max(1, Math.ceil(leftMs / hourMs));
  return hours === 1 ? "within the hour" : `in ${hours} hours`;
}

/**
 * The notice before an expiry, or, when it is queued at or after the expiry (a late run, a
 * membership shorter than a cron interval), a notice that says the access ended and when.
 */
export async function buildExpiryNoticeEmail(input: {
  to: string;
  recipientName: string;
  memberName: string;
  tenantName: string;
  expiresAt: Date;
  now: Date;
  forGrantor: boolean;
}): Promise<EmailMessage> {
  const ended = input.expiresAt.getTime() <= input.now.getTime();
  const when = ended
    ? `ended at ${formatUtc(input.expiresAt)}`
    : `expires ${describeTimeLeft(input.expiresAt, input.now)}, at ${formatUtc(input.expiresAt)}`;
  const access = input.forGrantor
    ? `The access you granted ${input.memberName} to ${input.tenantName}`
    : `Your access to ${input.tenantName}`;
  const parts = [
    `Hello ${input.recipientName},`,
    `${access} ${when}.`,
    ...(ended ? ["This notice is late: it could not be sent before the access ended."] : []),
    input.forGrantor
      ? `If the engagement continues, ${ended ? "add the membership again" : "extend the membership"} in Gatehouse (Admin → Memberships).`
      : `If you still need it, ask the person who granted it to ${ended ? "add you again" : "extend your membership"}.`,
  ];
  const subjectEnd = ended ? "has ended" : `expires ${describeTimeLeft(input.expiresAt, input.now)}`;
  return {
    kind: "expiry_notice",
    to: input.to,
    subject: toHeaderLine(
      input.forGrantor
        ? `Access of ${input.memberName} to ${input.tenantName} ${subjectEnd}`
        : `Your access to ${input.tenantName} ${subjectEnd}`,
    ),
    text: parts.join("\n\n"),
    html: await renderHtml(parts),
  };
}
