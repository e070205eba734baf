// What a page shows in place of an action that needs a recent sign-in (assertRecentSignIn in
// src/domain/users/user-security.ts): a link to the step-up page, which comes back here after.

/** The step-up page (re-authentication), returning to `next` once it's done. */
export function confirmItsYouHref(next: string): string {
  return `/account/confirm?next=${encodeURIComponent(next)}`;
}

export function RecentSignInNeeded({ next }: { next: string }) {
  return (
    <p>
      This needs a recent sign-in. <a href={confirmItsYouHref(next)}>Confirm it's you</a> first.
    </p>
  );
}
