// A setup link shown once (an invite, a new link, a two-factor reset, a delegated invite), on the
// page the form redirected to (docs/ARCHITECTURE.md "Feedback after a form"). The link arrives in
// the flash cookie, which reading deletes: nothing on the server keeps it, so a reload of this
// page has no link and says so, offering to make a new one instead of resubmitting anything.
import type { Child } from "hono/jsx";
import type { Flash } from "../../src/http/flash";
import { CopyField } from "../components/copy-field";
import { FlashNotice } from "../components/flash-notice";
import { Notice } from "../components/form-fields";

export const shownOnceMessage = "The setup link was shown once. Make a new one if it is needed.";

export interface LinkIssuedPageProps {
  heading: string;
  /** What the form did, said once (who and what). */
  flash: Flash | undefined;
  /** The link, on the first visit only. */
  setupUrl: string | null;
  /** The paragraph under the link: when it expires and how it reaches the person. */
  note: string;
  /** Where "Send a new setup link" posts, for those who may send one while it can be sent; else null. */
  newLinkAction: string | null;
  /** The links at the bottom of the page. */
  children: Child;
}

export function LinkIssuedPage(props: LinkIssuedPageProps) {
  return (
    <>
      <h1>{props.heading}</h1>
      <FlashNotice flash={props.flash} />
      {props.setupUrl ? (
        <>
          <CopyField id="setup-url" label="Setup link (shown only now)" value={props.setupUrl} />
          <p>{props.note}</p>
        </>
      ) : (
        <Notice kind="info">{shownOnceMessage}</Notice>
      )}
      <div class="button-row">
        {!props.setupUrl && props.newLinkAction && (
          <form method="post" action={props.newLinkAction} class="inline">
            <button type="submit">Send a new setup link</button>
          </form>
        )}
        {props.children}
      </div>
    </>
  );
}
