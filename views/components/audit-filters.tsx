// The filter form of Admin → Audit log: plain GET, so a filtered view is a link you can share.
// People choose what they know: a tenant and an action from menus, a person by email. Links from
// rows may carry ids (actor, targetId); the form shows the person's email instead, and keeps a
// target that is not a person (a group, a tenant) as a hidden field named beside a "Clear" link.
// Times are datetime-local inputs read in the viewer's time zone.
import type { FilterPerson } from "../../src/domain/audit/audit-log-page";
import { labelAuditAction } from "../../src/labels";

export type AuditFilterValues = Record<
  "actor" | "action" | "targetId" | "targetEmail" | "tenantId" | "from" | "to",
  string
>;

export interface AuditFiltersProps {
  values: AuditFilterValues;
  errors: Record<string, string>;
  actions: readonly string[];
  tenants: ReadonlyArray<{ id: string; name: string }>;
  /** The users the filter's ids name, to show them by email. */
  people: readonly FilterPerson[];
  /** What a non-person target id is called, when the page knows. */
  targetName: string | null;
  timeZone: string;
}

function FilterField({
  name,
  label,
  value,
  error,
  type = "text",
  hint,
}: {
  name: string;
  label: string;
  value: string;
  error?: string | undefined;
  type?: string;
  hint?: string;
}) {
  const id = `filter-${name}`;
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class={error ? "field has-error" : "field"}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      )}
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy}
      />
    </div>
  );
}

function FilterSelect(props: {
  name: string;
  label: string;
  value: string;
  anyLabel: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  error?: string | undefined;
}) {
  const id = `filter-${props.name}`;
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={id}>{props.label}</label>
      {props.error && (
        <p class="error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
      <select id={id} name={props.name} aria-describedby={props.error ? `${id}-error` : undefined}>
        <option value="">{props.anyLabel}</option>
        {props.options.map((option) => (
          <option value={option.value} selected={props.value === option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The email to show for a filter value that may be a user id. */
function emailOf(value: string, people: readonly FilterPerson[]): string {
  return people.find((person) => person.id === value)?.email ?? value;
}

export function AuditFilters(props: AuditFiltersProps) {
  const { values, errors } = props;
  const targetPerson = props.people.find((person) => person.id === values.targetId);
  const targetEmail = values.targetEmail || (targetPerson?.email ?? "");
  const keptTarget = values.targetId && !targetPerson ? values.targetId : "";
  const withoutTarget = new URLSearchParams(
    Object.entries(values).filter(([key, value]) => value !== "" && key !== "targetId"),
  ).toString();
  return (
    <form method="get" action="/admin/audit" class="filters" aria-label="Filter the audit log">
      <FilterField
        name="actor"
        label="Done by (email)"
        value={emailOf(values.actor, props.people)}
        error={errors.actor}
      />
      <FilterSelect
        name="action"
        label="Action"
        value={values.action}
        anyLabel="Any action"
        options={props.actions.map((action) => ({ value: action, label: labelAuditAction(action) }))}
        error={errors.action}
      />
      <FilterField name="targetEmail" label="About person (email)" value={targetEmail} error={errors.targetEmail} />
      <FilterSelect
        name="tenantId"
        label="Tenant"
        value={values.tenantId}
        anyLabel="Any tenant"
        options={props.tenants.map((tenant) => ({ value: tenant.id, label: tenant.name }))}
        error={errors.tenantId}
      />
      <FilterField
        name="from"
        label="From"
        type="datetime-local"
        value={values.from}
        error={errors.from}
        hint={`Your time zone: ${props.timeZone}`}
      />
      <FilterField
        name="to"
        label="Before"
        type="datetime-local"
        value={values.to}
        error={errors.to}
        hint="Events before this time"
      />
      {keptTarget && (
        <p class="field">
          <input type="hidden" name="targetId" value={keptTarget} />
          Only events about <strong>{props.targetName ?? keptTarget}</strong>{" "}
          <a href={`/admin/audit${withoutTarget ? `?${withoutTarget}` : ""}`}>Clear</a>
        </p>
      )}
      <button type="submit" class="secondary">
        Filter
      </button>
    </form>
  );
}
