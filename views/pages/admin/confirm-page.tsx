import { type NavigationItem, PageLayout, type SignedInUser } from "../../layouts/page-layout";

export interface ConfirmPageProps {
  user: SignedInUser;
  navigation: NavigationItem[];
  title: string;
  message: string;
  /** The POST that does it; it receives `confirm=yes`. */
  action: string;
  confirmLabel: string;
  cancelHref: string;
}

/** The confirmation step of a destructive action: nothing happens until the button is pressed. */
export function ConfirmPage(props: ConfirmPageProps) {
  return (
    <PageLayout title={props.title} user={props.user} navigation={props.navigation}>
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      <form method="post" action={props.action}>
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger">
          {props.confirmLabel}
        </button>{" "}
        <a href={props.cancelHref}>Cancel</a>
      </form>
    </PageLayout>
  );
}
