// One outbox message: its delivery state and both bodies as text. The HTML part is shown as
// source, never rendered: the page stays under the CSP and a link in it is never one click away.
import { Time } from "../../components/time";
import { type NavigationItem, PageLayout, type SignedInUser } from "../../layouts/page-layout";
import { OutboxStatusBadge, type OutboxStatusValue } from "./outbox-page";

export interface OutboxMessageView {
  id: string;
  kind: string;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string;
  userId: string | null;
  status: OutboxStatusValue;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  createdAt: Date;
  sentAt: Date | null;
}

export interface OutboxMessagePageProps {
  user: SignedInUser;
  navigation: NavigationItem[];
  timeZone: string;
  message: OutboxMessageView;
}

export function OutboxMessagePage({ user, navigation, timeZone, message }: OutboxMessagePageProps) {
  const waiting = message.status === "pending" || message.status === "sending";
  return (
    <PageLayout title={message.subject} user={user} navigation={navigation}>
      <p>
        <a href="/admin/outbox">← Outbox</a>
      </p>
      <h1>
        {message.subject} <OutboxStatusBadge status={message.status} />
      </h1>
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
        <dd>{message.kind}</dd>
        <dt>Attempts</dt>
        <dd>{message.attempts}</dd>
        <dt>Last error</dt>
        <dd>{message.lastError ?? "—"}</dd>
        <dt>Created</dt>
        <dd>
          <Time value={message.createdAt} timeZone={timeZone} />
        </dd>
        <dt>{waiting ? "Next attempt" : "Sent"}</dt>
        <dd>
          <Time value={waiting ? message.nextAttemptAt : message.sentAt} timeZone={timeZone} />
        </dd>
      </dl>
      <h2>Text</h2>
      <pre class="message-body">{message.textBody}</pre>
      <details>
        <summary>HTML source</summary>
        <pre class="message-body">{message.htmlBody}</pre>
      </details>
    </PageLayout>
  );
}
