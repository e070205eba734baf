// A user's Security tab: sign-in factors, two-factor reset, sessions, sign-in lock, deactivation and erasure.
import type { UserFactors } from "../../../src/domain/users/user-factors";
import type { UserStatus } from "../../../src/domain/users/users";
import type { Flash } from "../../../src/http/flash";
import { FlashNotice, flashAtTop, flashNear } from "../../components/flash-notice";
import { Notice } from "../../components/form-fields";
import { RecentSignInNeeded } from "../../components/recent-sign-in-needed";
import { SignInFactors } from "../../components/sign-in-factors";
import { UserHeader, type UserHeaderProps } from "../../components/user-header";

/** The id of the deactivate/reactivate section: its flash shows there (Details and Security tabs). */
export const userStatusSectionId = "user-status";

/**
 * Deactivate (behind a confirmation page) or reactivate, in a danger zone. The Details tab shows
 * it as well as this one: that is where the guides look for it.
 */
export function UserStatusSection({
  subject,
  flash,
}: {
  subject: { id: string; status: UserStatus };
  flash: Flash | undefined;
}) {
  const base = `/admin/users/${subject.id}`;
  const deactivated = subject.status === "DEACTIVATED";
  return (
    <section class="danger-zone" id={userStatusSectionId} aria-labelledby="user-status-heading">
      <h2 id="user-status-heading">{deactivated ? "Reactivate" : "Deactivate"}</h2>
      <FlashNotice flash={flashNear(flash, userStatusSectionId)} />
      {deactivated ? (
        <>
          <p>
            Reactivation restores sign-in. Memberships that expired meanwhile stay expired; revoked API tokens stay
            revoked.
          </p>
          <form method="post" action={`${base}/reactivate`}>
            <button type="submit">Reactivate</button>
          </form>
        </>
      ) : (
        <>
          <p>
            Deactivation blocks sign-in and ends every session and API token at once. Memberships and history are kept.
          </p>
          <a class="button danger" href={`${base}/deactivate`}>
            Deactivate…
          </a>
        </>
      )}
    </section>
  );
}

export interface UserSecurityPageProps {
  header: Omit<UserHeaderProps, "current">;
  factors: UserFactors;
  /** The viewer's, for the passkeys' times. */
  timeZone: string;
  /** Set for those who may change the sign-in policy. */
  policyHref?: string | undefined;
  sessionCount: number;
  locked: boolean;
  can: { resetTwoFactor: boolean; endSessions: boolean; clearLock: boolean; deactivate: boolean; erase: boolean };
  hasRecentSignIn: boolean;
  flash?: Flash | undefined;
  error?: string | undefined;
}

export function UserSecurityPage(props: UserSecurityPageProps) {
  const { subject } = props.header;
  const base = `/admin/users/${subject.id}`;
  return (
    <>
      <UserHeader {...props.header} current="security" />
      <FlashNotice flash={flashAtTop(props.flash, props.can.deactivate ? [userStatusSectionId] : [])} />
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <SignInFactors
        factors={props.factors}
        role={subject.role}
        timeZone={props.timeZone}
        policyHref={props.policyHref}
      />
      <h2>Sessions</h2>
      <p>{props.sessionCount === 1 ? "1 active session." : `${props.sessionCount} active sessions.`}</p>
      {props.can.endSessions && props.sessionCount > 0 && (
        <form method="post" action={`${base}/end-sessions`}>
          <button type="submit" class="secondary">
            End all their sessions
          </button>
        </form>
      )}
      {props.locked && (
        <>
          <h2>Sign-in lock</h2>
          <p>Too many failed sign-in attempts locked this account for 15 minutes.</p>
          {props.can.clearLock && (
            <form method="post" action={`${base}/clear-lock`}>
              <button type="submit" class="secondary">
                Clear the lock
              </button>
            </form>
          )}
        </>
      )}
      {props.can.resetTwoFactor && (
        <section class="danger-zone" aria-labelledby="reset-heading">
          <h2 id="reset-heading">Reset two-factor authentication</h2>
          <p>
            For a user who lost their phone or their passkeys: removes their passkeys, authenticator app and recovery
            codes, ends their sessions and gives you a link for them to set up a passkey or an authenticator app again
            (their password stays). They are told by email.
          </p>
          {props.hasRecentSignIn ? (
            <a class="button" href={`${base}/reset-two-factor`}>
              Reset two-factor…
            </a>
          ) : (
            <RecentSignInNeeded next={`${base}/security`} />
          )}
        </section>
      )}
      {props.can.deactivate && <UserStatusSection subject={subject} flash={props.flash} />}
      {props.can.erase && (
        <section class="danger-zone" aria-labelledby="erase-heading">
          <h2 id="erase-heading">Erase personal data (GDPR)</h2>
          <p>
            Replaces name, email and Slack ID with a tombstone and deletes credentials. The audit log keeps its records.
          </p>
          <a class="button" href={`${base}/erase`}>
            Erase…
          </a>
        </section>
      )}
    </>
  );
}
