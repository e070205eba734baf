import { Notice } from "../../components/form-fields";
import { MembershipForm, type MembershipFormProps } from "../../components/membership-form";
import { MembershipTable, type MembershipTableProps } from "../../components/membership-table";
import { UserHeader, type UserHeaderProps } from "../../components/user-header";
import { type NavigationItem, PageLayout, type SignedInUser } from "../../layouts/page-layout";

export interface UserMembershipsPageProps {
  user: SignedInUser;
  navigation: NavigationItem[];
  header: Omit<UserHeaderProps, "current">;
  table: MembershipTableProps;
  form: MembershipFormProps | null;
  notice?: string | undefined;
  error?: string | undefined;
}

export function UserMembershipsPage(props: UserMembershipsPageProps) {
  return (
    <PageLayout
      title={`Memberships of ${props.header.subject.firstName} ${props.header.subject.lastName}`}
      user={props.user}
      navigation={props.navigation}
    >
      <UserHeader {...props.header} current="memberships" />
      {props.notice && <Notice kind="success">{props.notice}</Notice>}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <h2>Tenants this user can reach</h2>
      <MembershipTable {...props.table} />
      {props.form && (
        <section aria-labelledby="add-membership-heading">
          <h2 id="add-membership-heading">Add a membership</h2>
          <MembershipForm {...props.form} />
        </section>
      )}
    </PageLayout>
  );
}
