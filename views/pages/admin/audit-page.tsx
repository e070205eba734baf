import type { AuditLogPage, FilterPerson, NamedAuditEvent } from "../../../src/domain/audit/audit-log-page";
import type { Flash } from "../../../src/http/flash";
import { auditTargetTypeLabels, labelAuditAction, serviceActorLabels } from "../../../src/labels";
import { AuditDetails } from "../../components/audit-details";
import { AuditFilters, type AuditFilterValues } from "../../components/audit-filters";
import {
  AuditFindings,
  VerifiableExport,
  type VerifiableExportProps,
  VerifiableLogPanel,
  type VerifiableLogProps,
} from "../../components/audit-verifiable-log";
import { FlashNotice, flashAtTop, flashNear } from "../../components/flash-notice";
import { FormErrorSummary } from "../../components/form-fields";
import { NextPageLink } from "../../components/next-page-link";
import { Time } from "../../components/time";

export type AuditRow = Omit<NamedAuditEvent, "requestId">;

export interface AuditPageProps {
  timeZone: string;
  rows: AuditRow[];
  values: AuditFilterValues;
  errors: Record<string, string>;
  actions: readonly string[];
  tenants: ReadonlyArray<{ id: string; name: string }>;
  people: readonly FilterPerson[];
  nextPageHref: string | null;
  flash: Flash | undefined;
  log: Omit<VerifiableLogProps, "timeZone"> & Pick<AuditLogPage["log"], "openFindings">;
  exports: VerifiableExportProps;
}

function filterHref(key: string, value: string): string {
  return `/admin/audit?${new URLSearchParams({ [key]: value }).toString()}`;
}

/** A user's stored label "First Last <email>" reads as the name with the email beneath. */
function TargetName({ row }: { row: AuditRow }) {
  const label = row.targetLabel ?? row.currentTargetName;
  const person = row.targetType === "user" && label ? /^(.*) <([^>]+)>$/.exec(label) : null;
  const name = person ? person[1] : (label ?? row.targetId ?? "—");
  return (
    <>
      {row.targetId ? <a href={filterHref("targetId", row.targetId)}>{name}</a> : name}
      {person && <div class="muted">{person[2]}</div>}
    </>
  );
}

/**
 * Which checkpoint first covers the row (its leaf in the tooltip), or "Pending" until one does.
 * Plain words rather than a badge: they wrap between words, so the column stays narrow.
 */
function LeafStatus({ row }: { row: AuditRow }) {
  if (row.checkpointSize === null) {
    return (
      <span
        class="muted"
        title={row.leafIndex === null ? "No leaf yet" : `Leaf ${row.leafIndex}, in no checkpoint yet`}
      >
        Pending
      </span>
    );
  }
  return <span title={`Leaf ${row.leafIndex}`}>In checkpoint {row.checkpointSize}</span>;
}

function AuditEventRow({ row, timeZone }: { row: AuditRow; timeZone: string }) {
  return (
    <tr>
      <td data-label="Time">
        <Time value={row.at} timeZone={timeZone} />
      </td>
      <td data-label="Action" class="cell-primary">
        <a href={filterHref("action", row.action)} title={row.action}>
          {labelAuditAction(row.action)}
        </a>
      </td>
      <td data-label="Done by" class="wrap">
        {row.actorId ? <a href={filterHref("actor", row.actorId)}>{row.actorName}</a> : row.actorName}
        {row.actorEmail && <div class="muted">{row.actorEmail}</div>}
        {serviceActorLabels[row.actorKind] && (
          <div>
            <span class="badge badge-info">{serviceActorLabels[row.actorKind]}</span>
          </div>
        )}
      </td>
      <td data-label="About" class="wrap">
        {row.targetType && <div class="muted">{auditTargetTypeLabels[row.targetType] ?? row.targetType}</div>}
        <TargetName row={row} />
      </td>
      <td data-label="Tenant" class="wrap">
        {row.tenantId ? <a href={filterHref("tenantId", row.tenantId)}>{row.tenantName ?? row.tenantId}</a> : "—"}
      </td>
      <td data-label="Details" class="wrap audit-details">
        <AuditDetails details={row.details} timeZone={timeZone} />
      </td>
      <td data-label="Checkpoint">
        <LeafStatus row={row} />
      </td>
      <td data-label="Address" class="priority-low">
        {row.ip ?? "—"}
      </td>
    </tr>
  );
}

export function AuditPage(props: AuditPageProps) {
  const targetRow = props.rows.find((row) => row.targetId === props.values.targetId);
  return (
    <>
      <div class="page-heading">
        <h1>Audit log</h1>
        <div class="actions">
          <a class="button secondary" href={props.exports.csvHref}>
            Export CSV
          </a>
          <a class="button secondary" href={props.exports.jsonHref}>
            Export JSON
          </a>
        </div>
      </div>
      <p class="muted">
        Newest first. Names are shown as they were when the event happened. The log cannot be changed or deleted.
      </p>
      <FlashNotice flash={flashAtTop(props.flash, ["verifiable-log"])} />
      <FormErrorSummary errors={props.errors} />
      <AuditFindings findings={props.log.openFindings} timeZone={props.timeZone} />
      <VerifiableLogPanel {...props.log} timeZone={props.timeZone} flash={flashNear(props.flash, "verifiable-log")} />
      <AuditFilters
        values={props.values}
        errors={props.errors}
        actions={props.actions}
        tenants={props.tenants}
        people={props.people}
        targetName={targetRow ? (targetRow.targetLabel ?? targetRow.currentTargetName) : null}
        timeZone={props.timeZone}
      />
      {props.rows.length === 0 ? (
        <p class="empty">No events match these filters.</p>
      ) : (
        <table class="data-table audit-log">
          <caption class="visually-hidden">Audit events</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Action</th>
              <th scope="col">Done by</th>
              <th scope="col">About</th>
              <th scope="col">Tenant</th>
              <th scope="col">Details</th>
              <th scope="col">Checkpoint</th>
              <th scope="col" class="priority-low">
                Address
              </th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <AuditEventRow row={row} timeZone={props.timeZone} />
            ))}
          </tbody>
        </table>
      )}
      <NextPageLink href={props.nextPageHref} label="Older events →" />
      <VerifiableExport {...props.exports} />
    </>
  );
}
