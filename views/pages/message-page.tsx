import type { Child } from "hono/jsx";
import { type NavigationItem, PageLayout, type SignedInUser } from "../layouts/page-layout";

export interface MessagePageProps {
  title: string;
  message: string;
  requestId?: string;
  user?: SignedInUser | null;
  navigation?: NavigationItem[];
  children?: Child;
}

/** Errors and neutral notices: says what happened and what to do, reveals nothing else. */
export function MessagePage(props: MessagePageProps) {
  return (
    <PageLayout title={props.title} user={props.user ?? null} navigation={props.navigation ?? []}>
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      {props.children}
      {props.requestId && (
        <p class="muted">
          Reference: <code>{props.requestId}</code>
        </p>
      )}
    </PageLayout>
  );
}
