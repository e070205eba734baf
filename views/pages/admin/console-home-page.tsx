import type { MembershipRole } from "../../../src/db/schema";
import { labelMembershipRole } from "../../../src/labels";
import { AttentionSection, type ConsoleHomeAttention, plural } from "../../components/attention-cards";
import { Time } from "../../components/time";

export interface ConsoleHomeTenant {
  slug: string;
  name: string;
  role: MembershipRole;
  expiresAt: Date | null;
  daysLeft: number | null;
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
