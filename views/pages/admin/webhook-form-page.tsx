// Admin → Webhooks → Add endpoint / Edit: the URL, a description, the event types as checkboxes
// grouped by their prefix (none ticked: every type) and an optional tenant filter. A refusal shows
// the form again with what was typed and the message next to its field.
import { auditActionLabels } from "../../../src/labels";
import { FormErrorSummary, SelectField, TextField } from "../../components/form-fields";

export interface WebhookFormValues {
  url: string;
  description: string;
  eventTypes: string[];
  tenantId: string;
}

export interface WebhookFormPageProps {
  /** null: the "Add endpoint" form. */
  endpointId: string | null;
  tenants: ReadonlyArray<{ id: string; name: string }>;
  values: WebhookFormValues;
  errors: Record<string, string>;
}

const groupLabels: Record<string, string> = {
  user: "People",
  session: "Sign-in and sessions",
  membership: "Memberships",
  tenant: "Tenants",
  invite: "Invites",
  group: "Access groups",
  api_token: "API tokens",
  audit: "Audit log",
  directory: "Directories (SCIM)",
  policy: "Sign-in policy",
  webhook_endpoint: "Webhook endpoints",
};

/** Every event type (the audit actions) by prefix, in the order the catalogue lists them. */
function eventTypeGroups(): Array<{ prefix: string; types: Array<[string, string]> }> {
  const groups = new Map<string, Array<[string, string]>>();
  for (const [type, label] of Object.entries(auditActionLabels)) {
    const prefix = type.slice(0, type.indexOf("."));
    groups.set(prefix, [...(groups.get(prefix) ?? []), [type, label]]);
  }
  return [...groups].map(([prefix, types]) => ({ prefix, types }));
}

function EventTypesField({ chosen, error }: { chosen: string[]; error: string | undefined }) {
  return (
    <fieldset class={error ? "has-error" : undefined} aria-describedby="event-types-hint">
      <legend>Event types</legend>
      <p class="hint" id="event-types-hint">
        Tick none to receive every event type, including types added later. Open a group to choose; the code beside each
        type is what the payload's "type" says.
      </p>
      {error && <p class="error">{error}</p>}
      {eventTypeGroups().map((group) => {
        const label = groupLabels[group.prefix] ?? group.prefix;
        const ticked = group.types.filter(([type]) => chosen.includes(type)).length;
        return (
          <details open={ticked > 0}>
            <summary>
              {label}: {ticked === 0 ? "none" : ticked} of {group.types.length} ticked
            </summary>
            <fieldset>
              <legend class="visually-hidden">{label}</legend>
              {group.types.map(([type, typeLabel]) => (
                <div>
                  <input
                    type="checkbox"
                    id={`event-type-${type}`}
                    name="eventTypes"
                    value={type}
                    checked={chosen.includes(type)}
                  />{" "}
                  <label for={`event-type-${type}`}>
                    {typeLabel} <code class="muted">{type}</code>
                  </label>
                </div>
              ))}
            </fieldset>
          </details>
        );
      })}
    </fieldset>
  );
}

export function WebhookFormPage(props: WebhookFormPageProps) {
  const { values, errors } = props;
  const editing = props.endpointId !== null;
  const action = editing ? `/admin/webhooks/${props.endpointId}/edit` : "/admin/webhooks";
  const cancel = editing ? `/admin/webhooks/${props.endpointId}` : "/admin/webhooks";
  const typesError = Object.entries(errors).find(([field]) => field.startsWith("eventTypes"))?.[1];
  const tenantOptions = [
    { value: "", label: "Every tenant's and instance-wide events" },
    ...props.tenants.map((tenant) => ({ value: tenant.id, label: `${tenant.name}: only that tenant's events` })),
  ];
  return (
    <div class="narrow">
      <h1>{editing ? "Edit webhook endpoint" : "Add webhook endpoint"}</h1>
      <p>
        Gatehouse sends each event it records to this URL as a signed POST (Standard Webhooks), retrying for about a day
        when the endpoint fails. {editing ? "" : "The signing secret is shown once, on the next page."}
      </p>
      <FormErrorSummary errors={errors} />
      <form method="post" action={action} novalidate>
        <TextField
          name="url"
          label="URL"
          type="url"
          value={values.url}
          error={errors.url}
          hint="https:// and a public host name (while Gatehouse itself runs on localhost, http:// and this machine too). A Worker cannot look names up, so Gatehouse refuses what it can see as written: localhost, single-label names, and private, link-local or loopback addresses."
          maxlength={2000}
          required
        />
        <TextField
          name="description"
          label="Description (optional)"
          value={values.description}
          error={errors.description}
          hint="What the audit log and this console call it, beside the host: the receiving system's name."
          maxlength={100}
        />
        <EventTypesField chosen={values.eventTypes} error={typesError} />
        <SelectField
          name="tenantId"
          label="Tenant"
          options={tenantOptions}
          value={values.tenantId}
          error={errors.tenantId}
          hint="One tenant: only the events that concern it, never instance-wide ones."
        />
        <div class="form-actions">
          <button type="submit">{editing ? "Save endpoint" : "Add endpoint"}</button>
          <a class="button secondary" href={cancel}>
            Cancel
          </a>
        </div>
      </form>
    </div>
  );
}
