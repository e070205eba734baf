// What the console's and the portal's review pages share about a decision posted from a form: the
// bulk form read into decideItemsSchema (ticked items, one decision, one justification), and the
// sentence the page shows after it (docs/ARCHITECTURE.md "Feedback after a form").
import { bulkDecisionFormId } from "../../views/components/review-item-rows";
import type { DecisionResult } from "../domain/reviews/review-decisions";
import { decideItemsSchema } from "../domain/reviews/review-decisions";
import type { ReviewItemView } from "../domain/reviews/review-items-read";
import type { Flash } from "../http/flash";
import { type FormValues, formList, formValue, formValuesAsStrings, parseFormInput } from "../http/forms";

/** The fields of the bulk decision form: `itemIds` once per ticked row. */
export const bulkDecisionFields = { fields: ["decision", "justification"], lists: ["itemIds"] } as const;

/** The bulk form shown again after a refusal: its justification and its ticked items kept. */
export function bulkDecisionFormState(values: FormValues, errors: Record<string, string>) {
  return {
    formId: bulkDecisionFormId,
    values: formValuesAsStrings(values),
    errors,
    ticked: formList(values, "itemIds"),
  };
}

/** The bulk form's values as the domain's input; a refusal names its field, as any form's. */
export function bulkDecisionInput(values: FormValues) {
  return parseFormInput(decideItemsSchema, {
    itemIds: formList(values, "itemIds"),
    decision: formValue(values, "decision"),
    justification: formValue(values, "justification"),
  });
}

function names(items: ReadonlyArray<{ memberName: string }>): string {
  const all = items.map((item) => item.memberName);
  return all.length <= 3 ? all.join(", ") : `${all.slice(0, 3).join(", ")} and ${all.length - 3} more`;
}

/** What a decision did, one sentence per outcome: "Kim Keep keeps access to Acme. Ray Revoke no longer has access to Acme." */
export function decisionMessage(result: DecisionResult, where: { tenantName?: string } = {}): string {
  const to = where.tenantName ? ` to ${where.tenantName}` : "";
  const kept = result.decided.filter((item) => item.status === "kept");
  const revoked = result.decided.filter((item) => item.status === "revoked");
  const parts: string[] = [];
  if (kept.length > 0) parts.push(`${names(kept)} keep${kept.length === 1 ? "s" : ""} access${to}.`);
  if (revoked.length > 0) parts.push(`${names(revoked)} no longer ha${revoked.length === 1 ? "s" : "ve"} access${to}.`);
  if (result.endedElsewhere.length > 0)
    parts.push(`${names(result.endedElsewhere)}: the access had already ended, so there was nothing to decide.`);
  const [firstSkipped] = result.skipped;
  if (firstSkipped) {
    const count = result.skipped.length === 1 ? "1 item was" : `${result.skipped.length} items were`;
    parts.push(`${count} left alone: ${firstSkipped.detail}`);
  }
  return parts.join(" ") || "Nothing was decided.";
}

/** The flash after one item's decision: what it did, a warning when its access had already ended elsewhere. */
export function oneDecisionFlash(item: ReviewItemView, where: { tenantName?: string } = {}): Flash {
  const ended = item.status === "ended_elsewhere";
  const result = { decided: ended ? [] : [item], endedElsewhere: ended ? [item] : [], skipped: [] };
  return { message: decisionMessage(result, where), tone: ended ? "warning" : "success" };
}
