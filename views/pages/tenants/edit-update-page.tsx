import { UpdateForm } from "../../components/update-form";
import { type NavigationItem, PageLayout, type SignedInUser } from "../../layouts/page-layout";

export interface EditUpdatePageProps {
  user: SignedInUser;
  navigation: NavigationItem[];
  action: string;
  backHref: string;
  values: Record<string, string>;
  errors: Record<string, string>;
}

export function EditUpdatePage(props: EditUpdatePageProps) {
  return (
    <PageLayout title="Edit update" user={props.user} navigation={props.navigation}>
      <p>
        <a href={props.backHref}>← Back</a>
      </p>
      <h1>Edit update</h1>
      <UpdateForm action={props.action} values={props.values} errors={props.errors} submitLabel="Save update" />
    </PageLayout>
  );
}
