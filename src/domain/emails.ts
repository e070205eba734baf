// The emails Gatehouse sends (docs/PRODUCT.md "Emails"), each as HTML with one button and as plain
// text, laid out by email-layout.ts. Each names the people involved by name and address (who invited,
// who reset, who granted), says until when a link works in the recipient's time zone, and ends
// with why the person got it. The product name is APP_NAME. Subjects go through toHeaderLine: names
// stored before the text rules may still hold a line break (docs/SECURITY.md "Text input").

import type { GlobalRole, MembershipRole } from "../db/schema";
import { labelMembershipRole, labelUserRole } from "../labels";
import type { Actor } from "./context";
import {
  type EmailParts,
  type EmailPerson,
  formatEmailTime,
  nameWithEmail,
  renderEmailHtml,
  renderEmailText,
} from "./email-layout";
import { toHeaderLine } from "./text";

export type { EmailPerson } from "./email-layout";

export interface EmailMessage {
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Who acted, as an email names them; null for the system itself (the bootstrap, a job). */
export function emailPersonOf(actor: Actor): EmailPerson | null {
  switch (actor.kind) {
    case "user":
      return { name: actor.principal.user.displayName, email: actor.principal.user.email };
    case "account":
      return { name: actor.user.displayName, email: actor.user.email };
    case "service":
      return { name: actor.service.name, email: null };
    default:
      return null;
  }
}

/** What every email needs to know about the recipient. */
interface Recipient {
  appName: string;
  to: string;
  recipientName: string | null;
  /** The recipient's time zone (users.time_zone); UTC when unknown. */
  timeZone: string | null;
}

async function buildMessage(kind: string, to: string, subject: string, parts: EmailParts): Promise<EmailMessage> {
  const headerSubject = toHeaderLine(subject);
  return {
    kind,
    to,
    subject: headerSubject,
    text: renderEmailText(parts),
    html: await renderEmailHtml(parts, headerSubject),
  };
}

export async function buildInviteEmail(
  input: Recipient & {
    /** Who invited; null when the system did (the first administrator at bootstrap). */
    invitedBy: EmailPerson | null;
    role: GlobalRole;
    setupUrl: string;
    expiresAt: Date;
    resent: boolean;
  },
): Promise<EmailMessage> {
  const app = input.appName;
  const inviter = input.invitedBy ? nameWithEmail(input.invitedBy) : null;
  const role = labelUserRole(input.role);
  const intro = inviter
    ? input.resent
      ? `${inviter} sent you a new ${app} setup link. Any earlier link no longer works.`
      : `${inviter} invited you to ${app} as ${role}.`
    : input.resent
      ? `Here is a new setup link for ${app}, where you are the first administrator. Any earlier link no longer works.`
      : `${app} was set up with your address, and you are its first administrator (${role}).`;
  // A directory (SCIM) cannot be asked for anything: its invitees ask an administrator.
  const whenExpired = input.invitedBy?.email
    ? `If it has expired, ask ${inviter} for a new one.`
    : inviter
      ? `If it has expired, ask an administrator of ${app} for a new one.`
      : `If it has expired, start ${app} again: until an administrator has finished setup, each start issues a new link.`;
  return buildMessage(
    input.resent ? "invite_resent" : "invite",
    input.to,
    input.resent ? `Your new ${app} setup link` : `You are invited to ${app}`,
    {
      appName: app,
      recipientName: input.recipientName,
      intro: [intro, "Choose your password and set up an authenticator app on your phone to sign in."],
      action: { label: "Set up your account", url: input.setupUrl },
      outro: [`The link works once and expires on ${formatEmailTime(input.expiresAt, input.timeZone)}. ${whenExpired}`],
      footer: inviter
        ? `You got this email because ${inviter} invited you to ${app}.`
        : `You got this email because ${app} was set up with ${input.to} as its first administrator.`,
    },
  );
}

export async function buildTwoFactorResetEmail(
  input: Recipient & { resetBy: EmailPerson | null; setupUrl: string; expiresAt: Date },
): Promise<EmailMessage> {
  const app = input.appName;
  const resetter = input.resetBy ? nameWithEmail(input.resetBy) : `An administrator of ${app}`;
  const tell = input.resetBy ? nameWithEmail(input.resetBy) : `an administrator of ${app}`;
  return buildMessage("two_factor_reset", input.to, `Your ${app} two-factor authentication was reset`, {
    appName: app,
    recipientName: input.recipientName,
    intro: [
      `${resetter} reset the two-factor authentication of your ${app} account. Your sessions were ended, and your passkeys, authenticator app and recovery codes no longer work.`,
      "To sign in again, confirm your password, then set up a passkey or an authenticator app again.",
    ],
    action: { label: "Set up a passkey or an authenticator app", url: input.setupUrl },
    outro: [
      `The link works once and expires on ${formatEmailTime(input.expiresAt, input.timeZone)}. If you did not ask for this, tell ${tell} at once.`,
    ],
    footer: `You got this email because ${resetter} reset the two-factor authentication of your ${app} account (${input.to}).`,
  });
}

/** "Ann (ann@…)", "Ann (ann@…) or Bob (bob@…)", "Ann (…), Bob (…) or Cy (…)". */
function listPeople(people: EmailPerson[]): string {
  const named = people.map(nameWithEmail);
  return named.length <= 1 ? (named[0] ?? "") : `${named.slice(0, -1).join(", ")} or ${named.at(-1)}`;
}

/** A change to the recipient's own account they should know about (a password change). */
export async function buildSecurityNoticeEmail(
  input: Recipient & {
    subject: string;
    message: string;
    /** Why they got it: "the password of your Gatehouse account (ann@…) was changed". */
    reason: string;
    /** Where to review the account: the account page. */
    action: { label: string; url: string };
    /** Whom to tell if it was not them: the super admins, the recipient left out. */
    administrators: EmailPerson[];
  },
): Promise<EmailMessage> {
  const tell =
    input.administrators.length > 0 ? listPeople(input.administrators) : `an administrator of ${input.appName}`;
  return buildMessage("security_notice", input.to, input.subject, {
    appName: input.appName,
    recipientName: input.recipientName,
    intro: [input.message],
    action: input.action,
    outro: [`If this was not you, tell ${tell} at once.`],
    footer: `You got this email because ${input.reason}. ${input.appName} tells you of every such change.`,
  });
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

export interface ExpiryNoticeInput extends Recipient {
  appOrigin: string;
  member: { id: string; name: string; email: string };
  tenantName: string;
  role: MembershipRole;
  /** Who granted the membership; null when unknown, the system or no longer active. */
  grantor: EmailPerson | null;
  expiresAt: Date;
  now: Date;
  forGrantor: boolean;
}

/** The member asks the grantor for more time: the button writes to them. */
function memberNoticeParts(input: ExpiryNoticeInput, ended: boolean) {
  const app = input.appName;
  const ask = ended ? "add you again" : "extend your membership";
  const grantor = input.grantor;
  if (grantor?.email) {
    const subject = encodeURIComponent(`More time for my access to ${input.tenantName}`);
    return {
      advice: `${nameWithEmail(grantor)} granted it. If you still need it, write to them and ask them to ${ask}.`,
      action: { label: `Ask ${grantor.name} for more time`, url: `mailto:${grantor.email}?subject=${subject}` },
    };
  }
  return {
    advice: `If you still need it, ask an administrator of ${input.tenantName} in ${app} to ${ask}.`,
    action: { label: `Open ${app}`, url: `${input.appOrigin}/` },
  };
}

/**
 * The notice before an expiry, or, when it is queued at or after the expiry (a late run, a
 * membership shorter than a cron interval), a notice that says the access ended and when.
 */
export async function buildExpiryNoticeEmail(input: ExpiryNoticeInput): Promise<EmailMessage> {
  const app = input.appName;
  const ended = input.expiresAt.getTime() <= input.now.getTime();
  const at = formatEmailTime(input.expiresAt, input.timeZone);
  const when = ended ? `ended on ${at}` : `expires ${describeTimeLeft(input.expiresAt, input.now)}, on ${at}`;
  const role = labelMembershipRole(input.role);
  const member = nameWithEmail(input.member);
  const late = ended ? ["This notice is late: it could not be sent before the access ended."] : [];
  const subjectEnd = ended ? "has ended" : `expires ${describeTimeLeft(input.expiresAt, input.now)}`;
  if (input.forGrantor) {
    return buildMessage(
      "expiry_notice",
      input.to,
      `Access of ${input.member.name} to ${input.tenantName} ${subjectEnd}`,
      {
        appName: app,
        recipientName: input.recipientName,
        intro: [`The access you granted ${member} to ${input.tenantName} (${role}) ${when}.`, ...late],
        action: {
          label: ended ? `Add ${input.member.name} again` : "Extend the membership",
          url: `${input.appOrigin}/admin/users/${encodeURIComponent(input.member.id)}/memberships`,
        },
        outro: [
          `If the engagement continues, ${ended ? "add the membership again" : "extend the membership"} in ${app}.`,
        ],
        footer: `You got this email because you granted ${member} access to ${input.tenantName} in ${app}.`,
      },
    );
  }
  const { advice, action } = memberNoticeParts(input, ended);
  return buildMessage("expiry_notice", input.to, `Your access to ${input.tenantName} ${subjectEnd}`, {
    appName: app,
    recipientName: input.recipientName,
    intro: [`Your access to ${input.tenantName} (${role}) ${when}.`, ...late, advice],
    action,
    outro: [],
    footer: ended
      ? `You got this email because your access to ${input.tenantName} in ${app} ended on ${at}.`
      : `You got this email because you have access to ${input.tenantName} in ${app} until ${at}.`,
  });
}

export interface WebhookDisabledInput extends Recipient {
  appOrigin: string;
  endpoint: { id: string; description: string; host: string };
  reason: "gone" | "failing";
}

/** To every active Super admin when Gatehouse disables a webhook endpoint (docs/EVENTS.md "Retries"). */
export function buildWebhookDisabledEmail(input: WebhookDisabledInput): Promise<EmailMessage> {
  const name = input.endpoint.description || input.endpoint.host;
  const why =
    input.reason === "gone"
      ? `${input.endpoint.host} answered 410 Gone, which says the endpoint no longer exists.`
      : `Every delivery to ${input.endpoint.host} has failed for 5 days.`;
  return buildMessage("webhook_endpoint_disabled", input.to, `Webhook endpoint ${name} was disabled`, {
    appName: input.appName,
    recipientName: input.recipientName,
    intro: [
      `${input.appName} stopped sending events to the webhook endpoint ${name}. ${why}`,
      "Events that happen meanwhile are not queued for it; they stay readable through the events API.",
    ],
    action: {
      label: "Open the endpoint",
      url: `${input.appOrigin}/admin/webhooks/${encodeURIComponent(input.endpoint.id)}`,
    },
    outro: ["Fix the receiver, then resume the endpoint from its page."],
    footer: `You got this email because you are a Super admin of ${input.appName}.`,
  });
}

export interface TenantLeftWithoutAdminInput extends Recipient {
  appOrigin: string;
  tenant: { id: string; name: string; slug: string };
  run: { id: string; name: string };
}

/** To every active Super admin when an access review's revocations left a tenant with no client admin. */
export function buildTenantLeftWithoutAdminEmail(input: TenantLeftWithoutAdminInput): Promise<EmailMessage> {
  return buildMessage(
    "access_review_no_client_admin",
    input.to,
    `${input.tenant.name} has no client admin after the access review`,
    {
      appName: input.appName,
      recipientName: input.recipientName,
      intro: [
        `The access review ${input.run.name} revoked the last client admin of ${input.tenant.name}.`,
        `Nobody at ${input.tenant.name} can now invite or remove their own people in ${input.appName}.`,
      ],
      action: {
        label: "Open the review",
        url: `${input.appOrigin}/admin/reviews/runs/${encodeURIComponent(input.run.id)}`,
      },
      outro: [`If ${input.tenant.name} still needs someone to manage its people, grant a client admin again.`],
      footer: `You got this email because you are a Super admin of ${input.appName}.`,
    },
  );
}

/** Which reminder of a review this is: at its opening, a week before its deadline, a day before. */
export type ReviewReminderStage = "start" | "7d" | "1d";

export interface ReviewReminderInput extends Recipient {
  run: { id: string; name: string; deadlineAt: Date };
  /** The items this person may decide and has not yet. */
  pending: number;
  /** Where the person decides: the console's run page for staff, the portal for a client admin. */
  url: string;
  stage: ReviewReminderStage;
  now: Date;
}

/** To a reviewer with items to decide: at the opening, 7 days and 1 day before the deadline. */
export function buildReviewReminderEmail(input: ReviewReminderInput): Promise<EmailMessage> {
  const deadline = formatEmailTime(input.run.deadlineAt, input.timeZone);
  const items = input.pending === 1 ? "1 person's access" : `${input.pending.toLocaleString("en-US")} people's access`;
  const subject =
    input.stage === "start"
      ? `Access review ${input.run.name}: ${items} to review`
      : `Access review ${input.run.name} ends ${describeTimeLeft(input.run.deadlineAt, input.now)}`;
  return buildMessage("access_review_reminder", input.to, subject, {
    appName: input.appName,
    recipientName: input.recipientName,
    intro: [
      input.stage === "start"
        ? `The access review ${input.run.name} has opened. You are asked to review ${items}.`
        : `You still have ${items} to review in ${input.run.name}.`,
      `Decide for each whether to keep or revoke the access by ${deadline}.`,
    ],
    action: { label: "Review access", url: input.url },
    outro: ["What is still undecided at the deadline is handled as the review's settings say."],
    footer: `You got this email because you review access in ${input.run.name} in ${input.appName}.`,
  });
}
