// A setup link shown once (an invite, a regenerated link, a two-factor reset, a delegated
// invite): nothing keeps it. Callers say what happens next and where to go from here.
import type { Child } from "hono/jsx";
import { CopyField } from "../components/copy-field";
import { Notice } from "../components/form-fields";

export interface LinkIssuedPageProps {
  heading: string;
  message: string;
  setupUrl: string;
  /** The paragraph under the link: when it expires and how it reaches the person. */
  note: string;
  /** The links at the bottom of the page. */
  children: Child;
}

export function LinkIssuedPage(props: LinkIssuedPageProps) {
  return (
    <>
      <h1>{props.heading}</h1>
      <Notice kind="success">{props.message}</Notice>
      <CopyField id="setup-url" label="Setup link (shown only now)" value={props.setupUrl} />
      <p>{props.note}</p>
      <p>{props.children}</p>
    </>
  );
}
