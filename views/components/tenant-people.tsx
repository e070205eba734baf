// The people of a tenant: its portal users (with invite / re-link / remove for those who manage
// them) and "who has access": the operators and contractors with role and expiry.
import type { TenantPerson } from "../../src/domain/tenants/tenant-people";
import { labelMembershipRole } from "../../src/labels";
import { NextPageLink } from "./next-page-link";
import { UserStatusBadge } from "./status-badge";
import { Time } from "./time";

export interface PersonRow extends Omit<TenantPerson, "userId"> {
  isSelf: boolean;
}

/** "More people" under a table whose people go on on another page. */
function MoreLink({ href }: { href: string | null | undefined }) {
  return <NextPageLink href={href} label="More people →" />;
}

export function ClientUsersTable({
  people,
  manageBase,
  moreHref,
}: {
  people: PersonRow[];
  manageBase: string | null;
  moreHref?: string | null;
}) {
  if (people.length === 0) return <p class="empty">No portal users yet.</p>;
  return (
    <>
      <table class="data-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            {manageBase && (
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {people.map((person) => (
            <tr>
              <td class="cell-primary" data-label="Name">
                {person.name}
              </td>
              <td class="wrap" data-label="Email">
                {person.email}
              </td>
              <td data-label="Role">{labelMembershipRole(person.role)}</td>
              <td data-label="Status">
                <UserStatusBadge status={person.status} />
                {person.status === "PENDING" && <span class="muted"> setup not finished</span>}
              </td>
              {manageBase && (
                <td class="cell-actions" data-label="Actions">
                  {person.status === "PENDING" && (
                    <form method="post" action={`${manageBase}/${person.membershipId}/setup-link`} class="inline">
                      <button type="submit" class="secondary small">
                        New setup link
                      </button>
                    </form>
                  )}
                  {!person.isSelf && (
                    <a class="button secondary small" href={`${manageBase}/${person.membershipId}/remove`}>
                      Remove
                    </a>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <MoreLink href={moreHref} />
    </>
  );
}

export function AccessTable({
  people,
  timeZone,
  moreHref,
}: {
  people: PersonRow[];
  timeZone: string;
  moreHref?: string | null;
}) {
  if (people.length === 0) return <p class="empty">No operators or contractors have access.</p>;
  return (
    <>
      <table class="data-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Access</th>
            <th scope="col">Until</th>
          </tr>
        </thead>
        <tbody>
          {people.map((person) => (
            <tr>
              <td class="cell-primary" data-label="Name">
                {person.name}
              </td>
              <td class="wrap" data-label="Email">
                {person.email}
              </td>
              <td data-label="Access">{labelMembershipRole(person.role)}</td>
              <td data-label="Until">
                {person.expiresAt ? <Time value={person.expiresAt} timeZone={timeZone} /> : "No end date"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <MoreLink href={moreHref} />
    </>
  );
}
