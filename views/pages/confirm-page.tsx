// A destructive action's confirmation step: a plain page with one POST form, so it needs no
// JavaScript dialog and cannot be triggered by a link alone.

export interface ConfirmPageProps {
  title: string;
  message: string;
  action: string;
  confirmLabel: string;
  cancelHref: string;
  hiddenFields?: Record<string, string>;
}

export function ConfirmPage(props: ConfirmPageProps) {
  return (
    <div class="narrow">
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      <form method="post" action={props.action} class="form-actions">
        {Object.entries(props.hiddenFields ?? {}).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <button type="submit" class="danger">
          {props.confirmLabel}
        </button>
        <a class="button secondary" href={props.cancelHref}>
          Cancel
        </a>
      </form>
    </div>
  );
}
