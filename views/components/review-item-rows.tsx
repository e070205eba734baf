// Access-review items as a table a reviewer acts in (docs/ACCESS-REVIEWS.md): who, what access, their
// last sign-in and the "inactive" recommendation, the client's advice, and per row a form to keep or
// revoke (with the justification) or to give advice. In "decide" mode each row also has a checkbox
// that belongs to the bulk form (`form=` attribute), so one decision covers the ticked rows.
import type { Child } from "hono/jsx";
import type { MembershipRole } from "../../src/db/schema";
import { labelMembershipRole } from "../../src/labels";
import { Time } from "./time";

export interface ReviewItemView {
  id: string;
  memberName: string;
  memberEmail: string;
  role: MembershipRole;
  expiresAt: Date | null;
  memberLastLoginAt: Date | null;
  recommendRevoke: boolean;
  deadlineAt: Date;
  justificationRequired: boolean;
  advice: { advice: "keep" | "revoke"; justification: string | null; byName: string | null } | null;
}

export type ReviewRowsMode =
  | { kind: "decide"; actionBase: string; bulkFormId: string }
  | { kind: "advise"; actionBase: string };

/** A form of the page shown again after a refusal: an item's (its id) or the bulk form's (its formId). */
export interface RowFormState {
  formId: string;
  values: Record<string, string>;
  errors: Record<string, string>;
  /** The bulk form's ticked items, ticked again when it is shown again after a refusal. */
  ticked?: readonly string[];
}

/** The justification textarea of a decision or advice form, its hint and its error tied to it. */
function JustificationField(props: {
  id: string;
  label: Child;
  hint: string;
  error: string | undefined;
  value: string;
}) {
  const { id, error } = props;
  return (
    <div class={error ? "field has-error" : "field"}>
      <label for={id}>{props.label}</label>
      <p class="hint" id={`${id}-hint`}>
        {props.hint}
      </p>
      {error && (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      )}
      <textarea
        id={id}
        name="justification"
        rows={2}
        maxlength={1000}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
      >
        {props.value}
      </textarea>
    </div>
  );
}

/** The id of the bulk decision form on the console's and the portal's review pages. */
export const bulkDecisionFormId = "bulk-decision";

/**
 * One decision and one justification for the rows ticked in a ReviewItemsTable whose mode names
 * this `formId` (the checkboxes join the form through their `form` attribute).
 */
export function BulkDecisionForm(props: { action: string; formId: string; form: RowFormState | null }) {
  const shown = props.form?.formId === props.formId ? props.form : null;
  const error = shown?.errors.justification ?? shown?.errors.itemIds ?? shown?.errors.decision ?? shown?.errors.form;
  const fieldId = `${props.formId}-justification`;
  return (
    <form method="post" action={props.action} id={props.formId} class="panel">
      <h3>Decide the ticked items</h3>
      <JustificationField
        id={fieldId}
        label="Why (one justification for all of them)"
        hint="Recorded with each decision; required to keep where the review asks for it."
        error={error}
        value={shown?.values.justification ?? ""}
      />
      <div class="button-row">
        <button type="submit" name="decision" value="keep">
          Keep ticked
        </button>
        <button type="submit" name="decision" value="revoke" class="danger">
          Revoke ticked
        </button>
      </div>
    </form>
  );
}

function AdviceNote({ advice }: { advice: NonNullable<ReviewItemView["advice"]> }) {
  return (
    <p class="muted">
      Client's advice: {advice.advice === "keep" ? "keep" : "revoke"}
      {advice.byName ? ` (${advice.byName})` : ""}
      {advice.justification ? `: ${advice.justification}` : ""}
    </p>
  );
}

function RowForm(props: { item: ReviewItemView; mode: ReviewRowsMode; form: RowFormState | null }) {
  const { item, mode } = props;
  const shown = props.form?.formId === item.id ? props.form : null;
  const fieldId = `justification-${item.id}`;
  const error = shown?.errors.justification ?? shown?.errors.decision ?? shown?.errors.advice ?? shown?.errors.form;
  const deciding = mode.kind === "decide";
  const name = deciding ? "decision" : "advice";
  return (
    <form method="post" action={`${mode.actionBase}/${item.id}/${deciding ? "decision" : "advice"}`}>
      <JustificationField
        id={fieldId}
        label={
          <>
            Why<span class="visually-hidden"> for {item.memberName}</span>
          </>
        }
        hint={deciding && item.justificationRequired ? "Required to keep." : "Optional."}
        error={error}
        value={shown?.values.justification ?? ""}
      />
      <div class="button-row">
        <button type="submit" name={name} value="keep" class="small">
          {deciding ? "Keep" : "Advise keep"}
          <span class="visually-hidden"> {item.memberName}</span>
        </button>
        <button type="submit" name={name} value="revoke" class="danger small">
          {deciding ? "Revoke" : "Advise revoke"}
          <span class="visually-hidden"> {item.memberName}</span>
        </button>
      </div>
    </form>
  );
}

export function ReviewItemsTable(props: {
  items: ReviewItemView[];
  timeZone: string;
  mode: ReviewRowsMode;
  form: RowFormState | null;
}) {
  const { mode, timeZone } = props;
  return (
    <table class="data-table">
      <thead>
        <tr>
          {mode.kind === "decide" && (
            <th scope="col">
              <span class="visually-hidden">Tick for the bulk decision</span>
            </th>
          )}
          <th scope="col">Person</th>
          <th scope="col">Access</th>
          <th scope="col">Last sign-in</th>
          <th scope="col" class="priority-low">
            Review ends
          </th>
          <th scope="col">{mode.kind === "decide" ? "Decision" : "Advice"}</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((item) => (
          <tr id={`item-${item.id}`}>
            {mode.kind === "decide" && (
              <td data-label="Tick">
                <input
                  type="checkbox"
                  name="itemIds"
                  value={item.id}
                  form={mode.bulkFormId}
                  checked={props.form?.formId === mode.bulkFormId && (props.form.ticked ?? []).includes(item.id)}
                  aria-label={`Tick ${item.memberName}`}
                />
              </td>
            )}
            <td class="cell-primary" data-label="Person">
              {item.memberName}
              <br />
              <span class="wrap muted">{item.memberEmail}</span>
            </td>
            <td data-label="Access">
              {labelMembershipRole(item.role)}
              {item.expiresAt && (
                <span class="muted">
                  {" "}
                  until <Time value={item.expiresAt} timeZone={timeZone} />
                </span>
              )}
            </td>
            <td data-label="Last sign-in">
              {item.memberLastLoginAt ? <Time value={item.memberLastLoginAt} timeZone={timeZone} /> : "Never"}
              {item.recommendRevoke && (
                <>
                  {" "}
                  <span class="badge badge-warning">Inactive: revoke recommended</span>
                </>
              )}
            </td>
            <td data-label="Review ends" class="priority-low">
              <Time value={item.deadlineAt} timeZone={timeZone} />
            </td>
            <td class="cell-actions" data-label={mode.kind === "decide" ? "Decision" : "Advice"}>
              {item.advice && <AdviceNote advice={item.advice} />}
              {!(mode.kind === "advise" && item.advice) && <RowForm item={item} mode={mode} form={props.form} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
