// Admin → Access reviews → New campaign / Edit: who is reviewed (tenants, kinds of membership), how
// often and for how long, what the client admins may say about staff, and what the deadline does.
// A refusal shows the form again with what was typed and the message next to its field.
import { FormErrorSummary, SelectField, TextField } from "../../components/form-fields";
import { cadenceWords, clientSayWords, deadlineActionWords, membershipKindWords } from "./review-parts";

export interface CampaignFormValues {
  name: string;
  /** "all" or "chosen". */
  tenantScope: string;
  tenantIds: string[];
  membershipKinds: string;
  cadence: string;
  startsAt: string;
  durationDays: string;
  clientSayOnStaff: string;
  justificationRequired: boolean;
  deadlineAction: string;
  inactiveAfterDays: string;
}

export interface CampaignFormPageProps {
  /** null: the "New campaign" form. */
  campaignId: string | null;
  tenants: ReadonlyArray<{ id: string; name: string }>;
  values: CampaignFormValues;
  errors: Record<string, string>;
  timeZone: string;
}

const optionsOf = (words: Record<string, string>) => Object.entries(words).map(([value, label]) => ({ value, label }));

function TenantsField(props: CampaignFormPageProps) {
  const { values, errors } = props;
  const error = errors.tenantIds ?? errors.allTenants;
  return (
    <fieldset class={error ? "has-error" : undefined}>
      <legend>Tenants</legend>
      {error && <p class="error">{error}</p>}
      <div>
        <input type="radio" id="scope-all" name="tenantScope" value="all" checked={values.tenantScope !== "chosen"} />{" "}
        <label for="scope-all">Every tenant, as they are at each opening</label>
      </div>
      <div>
        <input
          type="radio"
          id="scope-chosen"
          name="tenantScope"
          value="chosen"
          checked={values.tenantScope === "chosen"}
        />{" "}
        <label for="scope-chosen">Only the tenants ticked below</label>
      </div>
      <details open={values.tenantScope === "chosen"}>
        <summary>
          Choose tenants: {values.tenantIds.length === 0 ? "none" : values.tenantIds.length} of {props.tenants.length}{" "}
          ticked
        </summary>
        <fieldset>
          <legend class="visually-hidden">Tenants to review</legend>
          {props.tenants.map((tenant) => (
            <div>
              <input
                type="checkbox"
                id={`tenant-${tenant.id}`}
                name="tenantIds"
                value={tenant.id}
                checked={values.tenantIds.includes(tenant.id)}
              />{" "}
              <label for={`tenant-${tenant.id}`}>{tenant.name}</label>
            </div>
          ))}
        </fieldset>
      </details>
    </fieldset>
  );
}

export function CampaignFormPage(props: CampaignFormPageProps) {
  const { values, errors } = props;
  const editing = props.campaignId !== null;
  const action = editing ? `/admin/reviews/${props.campaignId}/edit` : "/admin/reviews";
  const cancel = editing ? `/admin/reviews/${props.campaignId}` : "/admin/reviews";
  return (
    <div class="narrow">
      <h1>{editing ? "Edit campaign" : "New access review campaign"}</h1>
      <p>
        Each opening creates one item per membership in scope at that moment. Reviewers keep or revoke each one before
        the deadline;{" "}
        {editing
          ? "a change applies to the reviews that open after it, never to one already open."
          : "the first review opens at the start time."}
      </p>
      <FormErrorSummary errors={errors} />
      <form method="post" action={action} novalidate>
        <TextField
          name="name"
          label="Name"
          value={values.name}
          error={errors.name}
          maxlength={100}
          required
          hint="Reviewers, emails and the audit log show it: the campaign is the actor of its revocations."
        />
        <TenantsField {...props} />
        <SelectField
          name="membershipKinds"
          label="Memberships"
          options={optionsOf(membershipKindWords)}
          value={values.membershipKinds}
          error={errors.membershipKinds}
        />
        <SelectField
          name="cadence"
          label="Cadence"
          options={optionsOf(cadenceWords)}
          value={values.cadence}
          error={errors.cadence}
          hint="PCI DSS 7.2.4 asks for at least every six months; SOC 2 reviews are usually quarterly."
        />
        <TextField
          name="startsAt"
          label="Starts (optional)"
          type="datetime-local"
          value={values.startsAt}
          error={errors.startsAt}
          hint={`In your time zone (${props.timeZone}). Empty: now. Later openings count whole months from it.`}
        />
        <TextField
          name="durationDays"
          label="Duration in days"
          inputmode="numeric"
          value={values.durationDays}
          error={errors.durationDays}
          hint="From the opening to the deadline, 1 to 90."
          maxlength={2}
          required
        />
        <SelectField
          name="clientSayOnStaff"
          label="Client admins' say on staff"
          options={optionsOf(clientSayWords)}
          value={values.clientSayOnStaff}
          error={errors.clientSayOnStaff}
          hint="Whether each tenant's client admins are asked about the staff who may see their company."
        />
        <div class={errors.justificationRequired ? "field has-error" : "field"}>
          <div>
            <input
              type="checkbox"
              id="field-justificationRequired"
              name="justificationRequired"
              value="yes"
              checked={values.justificationRequired}
            />{" "}
            <label for="field-justificationRequired">Require a justification to keep access</label>
          </div>
        </div>
        <SelectField
          name="deadlineAction"
          label="At the deadline"
          options={optionsOf(deadlineActionWords)}
          value={values.deadlineAction}
          error={errors.deadlineAction}
          hint="What happens to items nobody decided. Revoking is audited with the campaign as the actor."
        />
        <TextField
          name="inactiveAfterDays"
          label="Inactive after (days)"
          inputmode="numeric"
          value={values.inactiveAfterDays}
          error={errors.inactiveAfterDays}
          maxlength={3}
          required
          hint="No sign-in for this long marks an item “Recommend revoke”, 1 to 365."
        />
        <div class="form-actions">
          <button type="submit">{editing ? "Save campaign" : "Create campaign"}</button>
          <a class="button secondary" href={cancel}>
            Cancel
          </a>
        </div>
      </form>
    </div>
  );
}
