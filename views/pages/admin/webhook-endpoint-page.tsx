// One webhook endpoint (SUPER_ADMIN only): where it sends, what it receives, its status (and why
// Gatehouse disabled it), its signing secret shown once after it is made or replaced (from the
// sealed flash; a reload says it was shown once), and its newest attempts with "Resend".
import type { WebhookEndpointPage as PageData } from "../../../src/domain/webhooks/webhook-endpoints-read";
import type { Flash } from "../../../src/http/flash";
import { labelAuditAction } from "../../../src/labels";
import { CopyField } from "../../components/copy-field";
import { FlashNotice, flashAtTop, flashNear } from "../../components/flash-notice";
import { Notice } from "../../components/form-fields";
import { Time } from "../../components/time";
import { WebhookAttemptsTable } from "./webhook-attempts-table";
import { disabledReasonText, EndpointStatusBadge, endpointTitle } from "./webhook-parts";

export interface WebhookEndpointPageProps {
  timeZone: string;
  page: PageData;
  /** The secret made by the form before this page, on its first view only. */
  newSecret: string | null;
  /** A reload of the page a secret was shown on: say it was shown once. */
  secretWasShown: boolean;
  flash: Flash | undefined;
}

function EndpointFacts({ page, timeZone }: { page: PageData; timeZone: string }) {
  const { endpoint } = page;
  const counts = endpoint.deliveries;
  return (
    <dl class="details">
      <dt>URL</dt>
      <dd class="mono wrap">{endpoint.url}</dd>
      <dt>Status</dt>
      <dd>
        <EndpointStatusBadge status={endpoint.status} />{" "}
        {endpoint.status === "disabled" && `Gatehouse disabled it: ${disabledReasonText(endpoint.disabledReason)}`}
        {endpoint.status === "paused" &&
          "It gets no new events while paused, and what is queued waits; resuming starts from the newest event."}
      </dd>
      <dt>Receives</dt>
      <dd>
        {endpoint.eventTypes.length === 0
          ? "Every event type, including types added later"
          : endpoint.eventTypes.map((type) => labelAuditAction(type)).join(", ")}
      </dd>
      <dt>Tenant</dt>
      <dd>
        {endpoint.tenant ? `${endpoint.tenant.name}: only its events` : "Every tenant's and instance-wide events"}
      </dd>
      <dt>Deliveries</dt>
      <dd>
        {counts.delivered} delivered, {counts.pending + counts.sending} waiting, {counts.failed} failed for good
      </dd>
      <dt>Last success</dt>
      <dd>{endpoint.lastSuccessAt ? <Time value={endpoint.lastSuccessAt} timeZone={timeZone} /> : "never"}</dd>
      {endpoint.failingSince && (
        <>
          <dt>Failing since</dt>
          <dd>
            <Time value={endpoint.failingSince} timeZone={timeZone} /> (5 days of failures disable it)
          </dd>
        </>
      )}
      <dt>Added</dt>
      <dd>
        <Time value={endpoint.createdAt} timeZone={timeZone} />
      </dd>
    </dl>
  );
}

function SigningSecret(props: WebhookEndpointPageProps) {
  const { page } = props;
  return (
    <section aria-labelledby="secret-heading">
      <h2 id="secret-heading">Signing secret</h2>
      {props.newSecret ? (
        <>
          <CopyField id="webhook-secret" label="Signing secret (shown only now)" value={props.newSecret} />
          <p>Copy it into the receiver now: Gatehouse keeps it sealed and cannot show it again.</p>
        </>
      ) : (
        props.secretWasShown && (
          <Notice kind="info">
            The secret was shown once, when it was made. If it was not copied, replace it with "Replace signing secret".
          </Notice>
        )
      )}
      {page.previousSecretSignsUntil && (
        <Notice kind="warning">
          The previous secret still signs every delivery beside the new one until{" "}
          <Time value={page.previousSecretSignsUntil} timeZone={props.timeZone} />: switch the receiver over before
          then.
        </Notice>
      )}
      <p>
        Each delivery carries webhook-id, webhook-timestamp and webhook-signature headers; verify them with any Standard
        Webhooks library. Replacing the secret shows a new one once and keeps signing with the old one for 24 hours.
      </p>
      <form method="post" action={`/admin/webhooks/${page.endpoint.id}/rotate-secret`} class="inline">
        <button type="submit" class="secondary">
          Replace signing secret
        </button>
      </form>
    </section>
  );
}

export function WebhookEndpointPage(props: WebhookEndpointPageProps) {
  const { page } = props;
  const base = `/admin/webhooks/${page.endpoint.id}`;
  const paused = page.endpoint.status !== "enabled";
  return (
    <>
      <div class="page-heading">
        <h1 class="wrap">{endpointTitle(page.endpoint)}</h1>
        <div class="actions">
          <a class="button secondary" href={`${base}/edit`}>
            Edit
          </a>
          <form method="post" action={`${base}/${paused ? "resume" : "pause"}`} class="inline">
            <button type="submit" class="secondary">
              {paused ? "Resume" : "Pause"}
            </button>
          </form>
        </div>
      </div>
      <FlashNotice flash={flashAtTop(props.flash, ["attempts-heading"])} />
      <EndpointFacts page={page} timeZone={props.timeZone} />
      <SigningSecret {...props} />
      <section aria-labelledby="attempts-heading">
        <h2 id="attempts-heading">Attempts</h2>
        <FlashNotice flash={flashNear(props.flash, "attempts-heading")} />
        {page.attempts.length === 0 ? (
          <p class="empty">
            No attempts yet. The newest 50 appear here: each event is sent right after it happens, failures are retried
            after 5 and 30 minutes, then 2, 5, 10 and 10 hours.
          </p>
        ) : (
          <WebhookAttemptsTable
            endpointId={page.endpoint.id}
            attempts={page.attempts}
            attemptsPerSchedule={page.attemptsPerSchedule}
            timeZone={props.timeZone}
          />
        )}
      </section>
      <section class="danger-zone" aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete</h2>
        <p>Deleting stops the deliveries and removes their history; the audit log keeps that the endpoint existed.</p>
        <a class="button danger" href={`${base}/delete`}>
          Delete endpoint
        </a>
      </section>
    </>
  );
}
