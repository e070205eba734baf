// "Needs your attention" on the console home: one card per kind of work waiting, each linking to
// the list that shows it (src/domain/attention.ts reads the counts).
import { Time } from "./time";

/** Each part is null when the caller may not see it (src/domain/attention.ts). */
export interface ConsoleHomeAttention {
  pendingInvites: number | null;
  expiringMemberships: {
    count: number;
    soonest: Array<{ userName: string; tenantName: string; expiresAt: Date | null }>;
  } | null;
  failedEmails: number | null;
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function AttentionSection({ attention, timeZone }: { attention: ConsoleHomeAttention; timeZone: string }) {
  const { pendingInvites, expiringMemberships, failedEmails } = attention;
  const visible = pendingInvites !== null || expiringMemberships !== null || failedEmails !== null;
  if (!visible) return null;
  const needsAttention = Boolean(pendingInvites) || Boolean(expiringMemberships?.count) || Boolean(failedEmails);
  return (
    <section aria-labelledby="attention-heading">
      <h2 id="attention-heading">Needs your attention</h2>
      {!needsAttention ? (
        <p class="empty">
          Nothing needs your attention: no invites waiting, no access ending this week, no failed emails.
        </p>
      ) : (
        <ul class="attention">
          {pendingInvites ? (
            <li class="attention-card">
              <h3>Pending invites</h3>
              <span class="attention-count">{pendingInvites}</span>
              <p class="muted">{pendingInvites === 1 ? "person has" : "people have"} not finished setting up.</p>
              <a href="/admin/users?status=PENDING">See pending users</a>
            </li>
          ) : null}
          {expiringMemberships?.count ? (
            <li class="attention-card">
              <h3>Access ending within 7 days</h3>
              <span class="attention-count">{expiringMemberships.count}</span>
              <ul aria-label="Ending soonest">
                {expiringMemberships.soonest.map((row) => (
                  <li>
                    <span>
                      {row.userName} · {row.tenantName}
                    </span>
                    <Time value={row.expiresAt} timeZone={timeZone} />
                  </li>
                ))}
              </ul>
              <a href="/admin/memberships?expiringWithinDays=7">
                See {plural(expiringMemberships.count, "membership", "memberships")} by expiry
              </a>
            </li>
          ) : null}
          {failedEmails ? (
            <li class="attention-card">
              <h3>Failed emails</h3>
              <span class="attention-count">{failedEmails}</span>
              <p class="muted">Could not be delivered after every retry.</p>
              <a href="/admin/outbox?status=failed">Open the outbox</a>
            </li>
          ) : null}
        </ul>
      )}
    </section>
  );
}
