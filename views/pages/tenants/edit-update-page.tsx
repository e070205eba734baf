import { UpdateForm } from "../../components/update-form";

export interface EditUpdatePageProps {
  action: string;
  backHref: string;
  values: Record<string, string>;
  errors: Record<string, string>;
}

export function EditUpdatePage(props: EditUpdatePageProps) {
  return (
    <>
      <p>
        <a href={props.backHref}>← Back</a>
      </p>
      <div class="narrow">
        <h1>Edit update</h1>
        <UpdateForm action={props.action} values={props.values} errors={props.errors} submitLabel="Save update" />
      </div>
    </>
  );
}
