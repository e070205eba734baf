import { Notice } from "../../components/form-fields";
import { Time } from "../../components/time";
import { type NavigationItem, PageLayout, type SignedInUser } from "../../layouts/page-layout";
import { StatusBadge } from "./users-page";

export interface UserPageSubject {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  role: string;
  slackId: string | null;
  status: "PENDING" | "ACTIVE" | "DEACTIVATED";
  setupLink: "valid" | "expired" | "none";
  setupLinkExpiresAt: Date | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  deactivatedAt: Date | null;
}

export interface UserPageProps {
  user: SignedInUser;
  navigation: NavigationItem[];
  timeZone: string;
  subject: UserPageSubject;
  canRegenerateLink: boolean;
  notice?: string | undefined;
  error?: string | undefined;
}

export function UserPage({ user, navigation, timeZone, subject, canRegenerateLink, notice, error }: UserPageProps) {
  return (
    <PageLayout title={subject.displayName} user={user} navigation={navigation}>
      <p>
        <a href="/admin/users">← Users</a>
      </p>
      <h1>
        {subject.firstName} {subject.lastName} <StatusBadge status={subject.status} setupLink={subject.setupLink} />
      </h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      <dl class="details">
        <dt>Email</dt>
        <dd>{subject.email}</dd>
        <dt>Display name</dt>
        <dd>{subject.displayName}</dd>
        <dt>Global role</dt>
        <dd>{subject.role}</dd>
        <dt>Slack ID</dt>
        <dd>{subject.slackId ?? "—"}</dd>
        <dt>Created</dt>
        <dd>
          <Time value={subject.createdAt} timeZone={timeZone} />
        </dd>
        <dt>Last login</dt>
        <dd>
          <Time value={subject.lastLoginAt} timeZone={timeZone} />
        </dd>
        {subject.status === "PENDING" && (
          <>
            <dt>Setup link</dt>
            <dd>
              {subject.setupLink === "valid" ? "valid until " : "expired "}
              <Time value={subject.setupLinkExpiresAt} timeZone={timeZone} />
            </dd>
          </>
        )}
      </dl>
      {subject.status === "PENDING" && canRegenerateLink && (
        <section aria-labelledby="setup-link-heading">
          <h2 id="setup-link-heading">Setup link</h2>
          <p>A new link replaces the current one at once; the old link stops working. The invite email is sent again.</p>
          <form method="post" action={`/admin/users/${subject.id}/setup-link`} class="inline">
            <button type="submit" name="intent" value="regenerate">
              Regenerate setup link
            </button>{" "}
            <button type="submit" name="intent" value="resend" class="secondary">
              Resend invite
            </button>
          </form>
        </section>
      )}
    </PageLayout>
  );
}
