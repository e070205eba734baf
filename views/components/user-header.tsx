// The header and tabs every user page shares: /admin/users/:id (Details), /memberships,
// /access-groups and /security. Tabs are plain links, so they work without JavaScript.
import type { GlobalRole } from "../../src/db/schema";
import type { SetupLinkState, UserStatus } from "../../src/domain/users/users";
import { labelUserRole } from "../../src/labels";
import { ManagedByDirectoryNote } from "./directory-owned";
import { UserStatusBadge } from "./status-badge";

export type UserTab = "details" | "memberships" | "access-groups" | "security";

export interface UserHeaderProps {
  subject: {
    id: string;
    firstName: string;
    lastName: string;
    email: string;
    role: GlobalRole;
    status: UserStatus;
    setupLink: SetupLinkState;
  };
  current: UserTab;
  tabs: UserTab[];
  /** The directory that holds the user, when the page read it. */
  managedBy?: string | null;
}

const tabLabels: Record<UserTab, string> = {
  details: "Details",
  memberships: "Memberships",
  "access-groups": "Access groups",
  security: "Security",
};

function tabHref(userId: string, tab: UserTab): string {
  return tab === "details" ? `/admin/users/${userId}` : `/admin/users/${userId}/${tab}`;
}

export function UserHeader({ subject, current, tabs, managedBy }: UserHeaderProps) {
  return (
    <>
      <p>
        <a href="/admin/users">← Users</a>
      </p>
      <h1>
        {subject.firstName} {subject.lastName} <UserStatusBadge status={subject.status} setupLink={subject.setupLink} />
      </h1>
      <p class="muted">
        {subject.email} · {labelUserRole(subject.role)}
      </p>
      {managedBy && <ManagedByDirectoryNote directoryName={managedBy} />}
      <nav class="tabs" aria-label="User sections">
        <ul>
          {tabs.map((tab) => (
            <li>
              <a href={tabHref(subject.id, tab)} aria-current={tab === current ? "page" : undefined}>
                {tabLabels[tab]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </>
  );
}
