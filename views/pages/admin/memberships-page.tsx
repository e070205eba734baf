// Admin → Memberships: every active membership across tenants, filterable, soonest expiry first.
import type { Child } from "hono/jsx";
import type { MembershipRole } from "../../../src/db/schema";
import type { Flash } from "../../../src/http/flash";
import { labelMembershipRole } from "../../../src/labels";
import { FlashNotice, flashAtTop } from "../../components/flash-notice";
import { Notice } from "../../components/form-fields";
import { MembershipForm, type MembershipFormProps } from "../../components/membership-form";
import { MembershipTable, type MembershipTableProps, membershipFlashIds } from "../../components/membership-table";
import { NextPageLink } from "../../components/next-page-link";

export interface MembershipsPageProps {
  health?: Child;
  filters: { tenantId: string; userEmail: string; role: string; expiringWithinDays: string };
  tenants: Array<{ id: string; name: string }>;
  roles: readonly MembershipRole[];
  table: MembershipTableProps;
  nextPageHref: string | null;
  form: MembershipFormProps | null;
  flash?: Flash | undefined;
  filterError?: string | undefined;
}

export function MembershipsPage(props: MembershipsPageProps) {
  const { filters } = props;
  return (
    <>
      <div class="page-heading">
        <h1>Memberships</h1>
      </div>
      {props.health}
      <FlashNotice flash={flashAtTop(props.flash, membershipFlashIds(props.table))} />
      {props.filterError && <Notice kind="error">{props.filterError}</Notice>}
      <form method="get" action="/admin/memberships" class="filters" aria-label="Filter memberships">
        <div class="field">
          <label for="filter-tenant">Tenant</label>
          <select id="filter-tenant" name="tenantId">
            <option value="">Any tenant</option>
            {props.tenants.map((tenant) => (
              <option value={tenant.id} selected={tenant.id === filters.tenantId}>
                {tenant.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-user">User's email</label>
          <input id="filter-user" name="userEmail" type="search" value={filters.userEmail} />
        </div>
        <div class="field">
          <label for="filter-role">Role</label>
          <select id="filter-role" name="role">
            <option value="" selected={filters.role === ""}>
              Any role
            </option>
            {props.roles.map((role) => (
              <option value={role} selected={role === filters.role}>
                {labelMembershipRole(role)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-expiring">Expires within (days)</label>
          <input
            id="filter-expiring"
            name="expiringWithinDays"
            type="number"
            min="0"
            max="3650"
            value={filters.expiringWithinDays}
          />
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      <MembershipTable {...props.table} flash={props.flash} />
      <NextPageLink href={props.nextPageHref} />
      {props.form && (
        <section aria-labelledby="add-heading">
          <h2 id="add-heading">Add a membership</h2>
          <MembershipForm {...props.form} />
        </section>
      )}
    </>
  );
}
