import type { Child } from "hono/jsx";

export interface MessagePageProps {
  title: string;
  message: string;
  requestId?: string;
  children?: Child;
}

/** Errors and neutral notices: says what happened and what to do, reveals nothing else. */
export function MessagePage(props: MessagePageProps) {
  return (
    <div class="narrow">
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      {props.children}
      {props.requestId && (
        <p class="muted">
          Reference: <code>{props.requestId}</code>
        </p>
      )}
    </div>
  );
}
