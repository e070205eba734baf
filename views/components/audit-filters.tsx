// The filter form of Admin → Audit log: plain GET, so a filtered view is a link you can share.
// Times are datetime-local inputs read in the viewer's time zone.

export type AuditFilterValues = Record<"actor" | "action" | "targetId" | "tenantId" | "from" | "to", string>;

export interface AuditFiltersProps {
  values: AuditFilterValues;
  errors: Record<string, string>;
  actions: readonly string[];
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

export function AuditFilters({ values, errors, actions, timeZone }: AuditFiltersProps) {
  return (
    <form method="get" action="/admin/audit" class="filters" aria-label="Filter the audit log">
      <FilterField name="actor" label="Actor (id or email)" value={values.actor} error={errors.actor} />
      <div class={errors.action ? "field has-error" : "field"}>
        <label for="filter-action">Action</label>
        {errors.action && (
          <p class="error" id="filter-action-error">
            {errors.action}
          </p>
        )}
        <select id="filter-action" name="action" aria-describedby={errors.action ? "filter-action-error" : undefined}>
          <option value="">Any action</option>
          {actions.map((action) => (
            <option value={action} selected={values.action === action}>
              {action}
            </option>
          ))}
        </select>
      </div>
      <FilterField name="targetId" label="Target id" value={values.targetId} error={errors.targetId} />
      <FilterField name="tenantId" label="Tenant id" value={values.tenantId} error={errors.tenantId} />
      <FilterField
        name="from"
        label="From"
        type="datetime-local"
        value={values.from}
        error={errors.from}
        hint={`Your time zone: ${timeZone}`}
      />
      <FilterField
        name="to"
        label="Before"
        type="datetime-local"
        value={values.to}
        error={errors.to}
        hint="Events before this time"
      />
      <button type="submit" class="secondary">
        Filter
      </button>
    </form>
  );
}
