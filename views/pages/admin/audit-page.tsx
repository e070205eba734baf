import { AuditFilters, type AuditFilterValues } from "../../components/audit-filters";
import { FormErrorSummary } from "../../components/form-fields";
import { NextPageLink } from "../../components/next-page-link";
import { Time } from "../../components/time";

export interface AuditRow {
  id: number;
  at: Date;
  action: string;
  actorKind: string;
  actorId: string | null;
  actorName: string;
  actorEmail: string | null;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  tenantId: string | null;
  details: Record<string, unknown>;
  ip: string | null;
}

export interface AuditPageProps {
  timeZone: string;
  rows: AuditRow[];
  values: AuditFilterValues;
  errors: Record<string, string>;
  actions: readonly string[];
  nextPageHref: string | null;
  exportHref: string;
}

/** Services are named with what they are, so they are never taken for a person of that name. */
const serviceLabels: Record<string, string> = {
  "service:scim_directory": "SCIM directory",
  "service:access_review": "Access review",
  "service:sign_in_connection": "Sign-in connection",
};

function filterHref(key: string, value: string): string {
  return `/admin/audit?${new URLSearchParams({ [key]: value }).toString()}`;
}

export function AuditPage(props: AuditPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>Audit log</h1>
        <a class="button secondary" href={props.exportHref}>
          Export CSV
        </a>
      </div>
      <p class="muted">
        Newest first. Names are shown as they were when the event happened. The log cannot be changed or deleted.
      </p>
      <FormErrorSummary errors={props.errors} />
      <AuditFilters values={props.values} errors={props.errors} actions={props.actions} timeZone={props.timeZone} />
      {props.rows.length === 0 ? (
        <p class="empty">No events match these filters.</p>
      ) : (
        <table class="audit-log">
          <caption class="visually-hidden">Audit events</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Action</th>
              <th scope="col">Actor</th>
              <th scope="col">Target</th>
              <th scope="col">Tenant</th>
              <th scope="col">Details</th>
              <th scope="col">Address</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr>
                <td>
                  <Time value={row.at} timeZone={props.timeZone} />
                </td>
                <td>
                  <a href={filterHref("action", row.action)}>
                    <code>{row.action}</code>
                  </a>
                </td>
                <td>
                  {row.actorId ? <a href={filterHref("actor", row.actorId)}>{row.actorName}</a> : row.actorName}
                  {row.actorEmail && <div class="muted">{row.actorEmail}</div>}
                  {serviceLabels[row.actorKind] && <div class="muted">{serviceLabels[row.actorKind]}</div>}
                </td>
                <td>
                  {row.targetType && <span class="muted">{row.targetType}: </span>}
                  {row.targetId ? (
                    <a href={filterHref("targetId", row.targetId)}>{row.targetLabel ?? row.targetId}</a>
                  ) : (
                    (row.targetLabel ?? "—")
                  )}
                </td>
                <td>{row.tenantId ? <a href={filterHref("tenantId", row.tenantId)}>{row.tenantId}</a> : "—"}</td>
                <td class="audit-details">
                  {Object.entries(row.details).map(([key, value]) => (
                    <div>
                      <span class="muted">{key}:</span>{" "}
                      <code>{typeof value === "string" ? value : JSON.stringify(value)}</code>
                    </div>
                  ))}
                </td>
                <td>{row.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NextPageLink href={props.nextPageHref} label="Older events →" />
    </>
  );
}
