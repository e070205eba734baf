// /portal/<slug>: a client company's portal — updates, the company's portal users, and which
// operators and contractors can reach the company and until when.

import type { MembershipRole } from "../../../src/db/schema";
import type { Flash } from "../../../src/http/flash";
import { membershipRoleLabels } from "../../../src/labels";
import { ClientInviteForm, type ClientInviteFormProps } from "../../components/client-invite-form";
import { FlashNotice } from "../../components/flash-notice";
import { AccessTable, ClientUsersTable, type PersonRow } from "../../components/tenant-people";
import { UpdatesList, type UpdatesListProps } from "../../components/tenant-updates";

export interface PortalPageProps {
  timeZone: string;
  tenant: { name: string; slug: string; description: string };
  companies: Array<{ slug: string; name: string; current: boolean }>;
  isAdmin: boolean;
  updates: UpdatesListProps;
  users: PersonRow[];
  /** The next page of portal users, when there are more than a page. */
  usersMoreHref: string | null;
  staff: PersonRow[];
  staffMoreHref: string | null;
  invite: ClientInviteFormProps;
  flash?: Flash | undefined;
}

export function PortalPage(props: PortalPageProps) {
  return (
    <>
      {props.companies.length > 1 && (
        <nav aria-label="Your companies" class="tabs">
          <ul>
            <li>
              <span class="muted">Switch company:</span>
            </li>
            {props.companies.map((company) => (
              <li>
                <a href={`/portal/${company.slug}`} aria-current={company.current ? "page" : undefined}>
                  {company.name}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <div class="page-heading">
        <h1>{props.tenant.name}</h1>
        {props.isAdmin && (
          <div class="actions">
            <a class="button secondary" href={`/portal/${props.tenant.slug}/reviews`}>
              Access review
            </a>
          </div>
        )}
      </div>
      {props.tenant.description && <p class="post-body">{props.tenant.description}</p>}
      <FlashNotice flash={props.flash} />
      <section aria-labelledby="updates-heading">
        <h2 id="updates-heading">Updates</h2>
        <UpdatesList {...props.updates} />
      </section>
      <section aria-labelledby="users-heading">
        <h2 id="users-heading">Your company's portal users</h2>
        <ClientUsersTable
          people={props.users}
          manageBase={props.isAdmin ? `/portal/${props.tenant.slug}/users` : null}
          moreHref={props.usersMoreHref}
        />
        {props.isAdmin && (
          <details open={Object.keys(props.invite.errors).length > 0}>
            <summary>Invite a colleague</summary>
            <ClientInviteForm {...props.invite} />
          </details>
        )}
      </section>
      <section aria-labelledby="access-heading">
        <h2 id="access-heading">Who has access to your company</h2>
        <p class="muted">
          These operators and contractors can see and change your company's data, until the date shown.
        </p>
        <AccessTable people={props.staff} timeZone={props.timeZone} moreHref={props.staffMoreHref} />
      </section>
    </>
  );
}

export function PortalChooserPage(props: { companies: Array<{ slug: string; name: string; role: string }> }) {
  return (
    <>
      <div class="page-heading">
        <h1>Your companies</h1>
      </div>
      {props.companies.length === 0 ? (
        <p class="empty">You have no access to any company yet. Ask the person who invited you.</p>
      ) : (
        <table class="data-table">
          <caption class="visually-hidden">Your companies</caption>
          <thead>
            <tr>
              <th scope="col">Company</th>
              <th scope="col">Your role</th>
            </tr>
          </thead>
          <tbody>
            {props.companies.map((company) => (
              <tr>
                <td class="cell-primary" data-label="Company">
                  <a href={`/portal/${company.slug}`}>{company.name}</a>
                </td>
                <td data-label="Your role">{membershipRoleLabels[company.role as MembershipRole] ?? company.role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
