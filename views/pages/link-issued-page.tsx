// A setup link shown once after a delegated invite or re-link; nothing keeps it.
import { CopyField } from "../components/copy-field";
import { Notice } from "../components/form-fields";
import { type NavigationItem, PageLayout, type SignedInUser } from "../layouts/page-layout";

export interface LinkIssuedPageProps {
  user: SignedInUser;
  navigation: NavigationItem[];
  heading: string;
  message: string;
  setupUrl: string;
  expiresAtText: string;
  backHref: string;
  backLabel: string;
}

export function LinkIssuedPage(props: LinkIssuedPageProps) {
  return (
    <PageLayout title={props.heading} user={props.user} navigation={props.navigation}>
      <h1>{props.heading}</h1>
      <Notice kind="success">{props.message}</Notice>
      <CopyField id="setup-url" label="Setup link (shown only now)" value={props.setupUrl} />
      <p>It works once and expires {props.expiresAtText}. An email with the link is on its way too.</p>
      <p>
        <a class="button" href={props.backHref}>
          {props.backLabel}
        </a>
      </p>
    </PageLayout>
  );
}
