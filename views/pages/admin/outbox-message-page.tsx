// One outbox message: its delivery state, the HTML as the recipient sees it, and both bodies as
// text. The HTML is rendered only inside a sandboxed frame of its own route
// (/admin/outbox/:id/preview, whose CSP is in src/http/security-headers.ts): this page itself
// never carries the email's markup, and its links are inert in the frame (docs/DECISIONS.md).

import type { OutboxStatus } from "../../../src/domain/outbox";
import { labelEmailKind } from "../../../src/labels";
import { Notice } from "../../components/form-fields";
import { Time } from "../../components/time";
import { OutboxStatusBadge, supersededExplanation } from "./outbox-page";

export interface OutboxMessageView {
  id: string;
  kind: string;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string;
  userId: string | null;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  createdAt: Date;
  sentAt: Date | null;
}

export interface OutboxMessagePageProps {
  timeZone: string;
  message: OutboxMessageView;
}

export function OutboxMessagePage({ timeZone, message }: OutboxMessagePageProps) {
  const waiting = message.status === "pending" || message.status === "sending";
  return (
    <>
      <p>
        <a href="/admin/outbox">← Outbox</a>
      </p>
      <h1>
        {message.subject} <OutboxStatusBadge status={message.status} />
      </h1>
      {message.status === "superseded" && <Notice kind="info">{supersededExplanation}</Notice>}
      <dl class="details">
        <dt>To</dt>
        <dd>
          {message.toAddress}
          {message.userId && (
            <>
              {" "}
              (<a href={`/admin/users/${message.userId}`}>user</a>)
            </>
          )}
        </dd>
        <dt>Kind</dt>
        <dd>{labelEmailKind(message.kind)}</dd>
        <dt>Attempts</dt>
        <dd>{message.attempts}</dd>
        <dt>Last error</dt>
        <dd>{message.lastError ?? "—"}</dd>
        <dt>Created</dt>
        <dd>
          <Time value={message.createdAt} timeZone={timeZone} />
        </dd>
        {message.status !== "superseded" && (
          <>
            <dt>{waiting ? "Next attempt" : "Sent"}</dt>
            <dd>
              <Time value={waiting ? message.nextAttemptAt : message.sentAt} timeZone={timeZone} />
            </dd>
          </>
        )}
      </dl>
      <h2>As the recipient sees it</h2>
      <iframe
        class="email-preview"
        src={`/admin/outbox/${message.id}/preview`}
        sandbox=""
        title={`The HTML email to ${message.toAddress}: ${message.subject}`}
        width="100%"
        height="640"
      />
      <h2>Text</h2>
      <pre class="message-body">{message.textBody}</pre>
      <details>
        <summary>HTML source</summary>
        <pre class="message-body">{message.htmlBody}</pre>
      </details>
    </>
  );
}
