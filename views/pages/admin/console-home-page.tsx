import type { MembershipRole } from "../../../src/db/schema";
import { labelMembershipRole } from "../../../src/labels";
import { Time } from "../../components/time";

export interface ConsoleHomeTenant {
  slug: string;
  name: string;
  role: MembershipRole;
  expiresAt: Date | null;
  daysLeft: number | null;
}

/** Each part is null when the caller may not see it (src/domain/attention.ts). */
export interface ConsoleHomeAttention {
  pendingInvites: number | null;
  expiringMemberships: {
    count: number;
    soonest: Array<{ userName: string; tenantName: string; expiresAt: Date | null }>;
  } | null;
  failedEmails: number | null;
}

export interface ConsoleHomePageProps {
  displayName: string;
  timeZone: string;
  /** No section to open and no tenant: the page says whom to ask. */
  hasNoAccess: boolean;
  attention: ConsoleHomeAttention;
  tenants: ConsoleHomeTenant[];
  administrators: Array<{ name: string; email: string }>;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function AttentionSection({ attention, timeZone }: { attention: ConsoleHomeAttention; timeZone: string }) {
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

function NoAccess({ administrators }: { administrators: ConsoleHomePageProps["administrators"] }) {
  return (
    <section class="notice notice-info" aria-labelledby="no-access-heading">
      <h2 id="no-access-heading">You have no access yet</h2>
      <p>
        Gatehouse is least-privilege by default: your account works, but nobody has given you access to a tenant or an
        admin section yet. Ask an administrator to add you to a tenant membership or an access group.
      </p>
      {administrators.length > 0 && (
        <>
          <p>Administrators who can grant access:</p>
          <ul>
            {administrators.map((admin) => (
              <li>
                {admin.name} — <a href={`mailto:${admin.email}`}>{admin.email}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function ConsoleHomePage(props: ConsoleHomePageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>Welcome, {props.displayName}</h1>
      </div>
      {props.hasNoAccess && <NoAccess administrators={props.administrators} />}
      <AttentionSection attention={props.attention} timeZone={props.timeZone} />
      {props.tenants.length > 0 && (
        <section aria-labelledby="tenants-heading">
          <h2 id="tenants-heading">Your tenants</h2>
          <table class="data-table">
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Your role</th>
                <th scope="col">Access ends</th>
              </tr>
            </thead>
            <tbody>
              {props.tenants.map((tenant) => (
                <tr>
                  <td class="cell-primary" data-label="Tenant">
                    <a href={`/tenants/${tenant.slug}`}>{tenant.name}</a>
                  </td>
                  <td data-label="Your role">{labelMembershipRole(tenant.role)}</td>
                  <td data-label="Access ends">
                    {tenant.expiresAt ? (
                      <>
                        <Time value={tenant.expiresAt} timeZone={props.timeZone} />{" "}
                        <span class="muted">({plural(tenant.daysLeft ?? 0, "day", "days")} left)</span>
                      </>
                    ) : (
                      "Never"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
