// The Audit log page's account of the verifiable log (docs/AUDIT.md "Verifying the log"): the newest
// checkpoint, the verifier key as /.well-known/gatehouse-audit-keys publishes it, what waits for a
// checkpoint, "Seal now" for a Super admin, the verifiable export, and the open findings.

import type { AuditFindingProblem } from "../../src/db/schema";
import type { Checkpoint } from "../../src/domain/audit/audit-tree";
import type { Flash } from "../../src/http/flash";
import { auditFindingProblemLabels } from "../../src/labels";
import { formatCount } from "../format";
import { FlashNotice } from "./flash-notice";
import { Time } from "./time";

export const verifierKeysPath = "/.well-known/gatehouse-audit-keys";

export interface VerifiableLogProps {
  timeZone: string;
  latestCheckpoint: Checkpoint | null;
  pendingEvents: number;
  /** More pending events than were counted: the page says "more than". */
  pendingCountLimit: number;
  /** The current signer's verifier key and how many earlier keys the well-known path lists; null: no key set. */
  verifierKeys: { current: string; earlier: number } | null;
  maySeal: boolean;
  /** What "Seal now" said, shown under the heading the redirect scrolls to. */
  flash?: Flash | undefined;
}

/** The checkpoint's origin: the first line of its note (c2sp.org/tlog-checkpoint). */
function originOf(checkpoint: Checkpoint): string {
  return checkpoint.signedNote.slice(0, checkpoint.signedNote.indexOf("\n"));
}

function PendingEvents({ count, limit }: { count: number; limit: number }) {
  if (count === 0) return <>None: the newest checkpoint covers every event.</>;
  const counted =
    count > limit ? `More than ${formatCount(limit, "event", "events")}` : formatCount(count, "event", "events");
  return <>{counted} not in a checkpoint yet. The cron seals one every five minutes.</>;
}

function VerifierKey({ keys }: { keys: VerifiableLogProps["verifierKeys"] }) {
  if (!keys) {
    return <>No signing key is set (AUDIT_SIGNING_KEYS), so no checkpoint can be sealed: see docs/AUDIT.md "Keys".</>;
  }
  return (
    <>
      <code class="wrap">{keys.current}</code>
      <p class="hint">
        Published at <a href={verifierKeysPath}>{verifierKeysPath}</a>
        {keys.earlier > 0 && ` with ${formatCount(keys.earlier, "earlier key", "earlier keys")}`}. Give it to{" "}
        <code>npm run audit:verify</code> with an export (docs/AUDIT.md "Verifying the log").
      </p>
    </>
  );
}

export function VerifiableLogPanel(props: VerifiableLogProps) {
  const checkpoint = props.latestCheckpoint;
  return (
    <section class="panel" id="verifiable-log" aria-labelledby="verifiable-log-heading">
      <h2 id="verifiable-log-heading">Verifiable log</h2>
      <FlashNotice flash={props.flash} />
      <dl class="details">
        <dt>Latest checkpoint</dt>
        <dd>
          {checkpoint ? (
            <>
              {formatCount(checkpoint.treeSize, "event", "events")}, sealed{" "}
              <Time value={checkpoint.sealedAt} timeZone={props.timeZone} />
            </>
          ) : (
            "None sealed yet."
          )}
        </dd>
        {checkpoint && (
          <>
            <dt>Root hash</dt>
            <dd>
              <code title={checkpoint.rootHash}>{`${checkpoint.rootHash.slice(0, 16)}…`}</code>
            </dd>
            <dt>Origin</dt>
            <dd>
              <code>{originOf(checkpoint)}</code>
            </dd>
          </>
        )}
        <dt>Pending</dt>
        <dd>
          <PendingEvents count={props.pendingEvents} limit={props.pendingCountLimit} />
        </dd>
        <dt>Verifier key</dt>
        <dd>
          <VerifierKey keys={props.verifierKeys} />
        </dd>
      </dl>
      {props.maySeal && props.verifierKeys && (
        <form method="post" action="/admin/audit/seal">
          <button type="submit" class="secondary">
            Seal now
          </button>
        </form>
      )}
    </section>
  );
}

export interface VerifiableExportProps {
  csvHref: string;
  jsonHref: string;
  /** The page's filters, carried by the JSON form as hidden fields. */
  filters: ReadonlyArray<readonly [string, string]>;
}

export function VerifiableExport(props: Pick<VerifiableExportProps, "filters">) {
  return (
    <section aria-labelledby="verifiable-export-heading">
      <h2 id="verifiable-export-heading">Verifiable export</h2>
      <p class="muted">
        Export CSV and Export JSON, at the top of the page, first seal a checkpoint, then give the rows of these filters
        that it covers, each with its leaf and its inclusion proof, and the signed checkpoint.
      </p>
      <form method="get" action="/admin/audit/export.json" class="panel">
        {props.filters.map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <div class="field">
          <label for="consistency-from">Prove consistency with an earlier checkpoint (its size)</label>
          <p class="hint" id="consistency-from-hint">
            Optional. The JSON then also proves that the log only grew since that checkpoint.
          </p>
          <input
            id="consistency-from"
            name="consistencyFrom"
            type="number"
            min="1"
            step="1"
            inputmode="numeric"
            aria-describedby="consistency-from-hint"
          />
        </div>
        <div class="form-actions">
          <button type="submit" class="secondary">
            Export JSON
          </button>
        </div>
      </form>
    </section>
  );
}

export interface OpenFinding {
  subject: string;
  eventId: number | null;
  leafIndex: number | null;
  problem: AuditFindingProblem;
  detectedAt: Date;
}

export function AuditFindings({ findings, timeZone }: { findings: readonly OpenFinding[]; timeZone: string }) {
  if (findings.length === 0) return null;
  return (
    <section class="danger-zone" id="audit-findings" aria-labelledby="audit-findings-heading">
      <h2 id="audit-findings-heading">Rows that no longer match the log</h2>
      <p>
        The cron checked these rows against the leaves the log recorded for them, and they no longer match: someone with
        direct access to the database changed, deleted or added them, or rewrote the log's tree. Compare them with an
        earlier export, then acknowledge to clear the banner; the findings stay in the audit log.
      </p>
      <table class="data-table">
        <caption class="visually-hidden">Open findings</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Leaf</th>
            <th scope="col">Problem</th>
            <th scope="col">Detected</th>
          </tr>
        </thead>
        <tbody>
          {findings.map((finding) => (
            <tr>
              <td data-label="Event" class="cell-primary">
                {finding.eventId === null ? "—" : `Event ${finding.eventId}`}
              </td>
              <td data-label="Leaf">{finding.leafIndex ?? "—"}</td>
              <td data-label="Problem">{auditFindingProblemLabels[finding.problem]}</td>
              <td data-label="Detected">
                <Time value={finding.detectedAt} timeZone={timeZone} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" action="/admin/audit/findings/acknowledge" class="form-actions">
        <button type="submit" class="danger">
          Acknowledge
        </button>
      </form>
    </section>
  );
}
