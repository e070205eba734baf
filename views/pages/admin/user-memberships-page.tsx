import type { Flash } from "../../../src/http/flash";
import { FlashNotice, flashAtTop } from "../../components/flash-notice";
import { Notice } from "../../components/form-fields";
import { MembershipForm, type MembershipFormProps } from "../../components/membership-form";
import { MembershipTable, type MembershipTableProps, membershipFlashIds } from "../../components/membership-table";
import { UserHeader, type UserHeaderProps } from "../../components/user-header";

export interface UserMembershipsPageProps {
  header: Omit<UserHeaderProps, "current">;
  table: MembershipTableProps;
  form: MembershipFormProps | null;
  flash?: Flash | undefined;
  error?: string | undefined;
}

export function UserMembershipsPage(props: UserMembershipsPageProps) {
  return (
    <>
      <UserHeader {...props.header} current="memberships" />
      <FlashNotice flash={flashAtTop(props.flash, membershipFlashIds(props.table))} />
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <h2>Tenants this user can reach</h2>
      <MembershipTable {...props.table} flash={props.flash} />
      {props.form && (
        <section aria-labelledby="add-membership-heading">
          <h2 id="add-membership-heading">Add a membership</h2>
          <MembershipForm {...props.form} />
        </section>
      )}
    </>
  );
}
