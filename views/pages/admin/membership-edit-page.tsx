// One membership's role and expiry, on a page of its own (the tables link here from "Edit"). The
// expiry is typed in the admin's time zone; its UTC value is in the details. A refused change comes
// back here with what was typed and the error by its field.
import type { MembershipRole } from "../../../src/db/schema";
import { labelMembershipRole } from "../../../src/labels";
import { FormErrorSummary } from "../../components/form-fields";
import { MembershipTermsFields } from "../../components/membership-form";
import type { MembershipTableRow } from "../../components/membership-table";
import { Time } from "../../components/time";
import { formatDateTime } from "../../format";

export interface MembershipEditPageProps {
  membership: MembershipTableRow;
  roleOptions: readonly MembershipRole[];
  timeZone: string;
  returnTo: string;
  values: { role: string; expiresAt: string };
  errors: Record<string, string>;
}

export function MembershipEditPage(props: MembershipEditPageProps) {
  const { membership, values, errors } = props;
  return (
    <div class="narrow">
      <div class="page-heading">
        <h1>
          {membership.userName} in {membership.tenantName}
        </h1>
      </div>
      <dl class="details">
        <dt>User</dt>
        <dd>
          <a href={`/admin/users/${membership.userId}`}>{membership.userName}</a>{" "}
          <span class="muted">{membership.userEmail}</span>
        </dd>
        <dt>Tenant</dt>
        <dd>
          <a href={`/admin/tenants/${membership.tenantSlug}`}>{membership.tenantName}</a>
        </dd>
        <dt>Role</dt>
        <dd>{labelMembershipRole(membership.role)}</dd>
        <dt>Ends</dt>
        <dd>
          {membership.expiresAt ? <Time value={membership.expiresAt} timeZone={props.timeZone} /> : "No end date"}
        </dd>
        {membership.expiresAt && (
          <>
            <dt>Ends, in UTC</dt>
            <dd>{formatDateTime(membership.expiresAt, "UTC")}</dd>
          </>
        )}
        <dt>Added</dt>
        <dd>
          <Time value={membership.createdAt} timeZone={props.timeZone} />
        </dd>
      </dl>
      <h2>Change role or end date</h2>
      <form method="post" action={`/admin/memberships/${membership.id}/edit`} novalidate>
        <FormErrorSummary errors={errors} />
        <input type="hidden" name="returnTo" value={props.returnTo} />
        <MembershipTermsFields
          roleOptions={props.roleOptions}
          timeZone={props.timeZone}
          values={values}
          errors={errors}
        />
        <div class="form-actions button-row">
          <button type="submit">Save changes</button>
          <a class="button secondary" href={props.returnTo}>
            Cancel
          </a>
        </div>
      </form>
    </div>
  );
}
