// Admin → Tenants: list (alphabetical, with member counts) and create.
import { FormErrorSummary, Notice, TextField } from "../../components/form-fields";
import { NextPageLink } from "../../components/next-page-link";

export interface TenantsPageProps {
  rows: Array<{ slug: string; name: string; memberCount: number }>;
  query: string;
  nextPageHref: string | null;
  canCreate: boolean;
  values: Record<string, string>;
  errors: Record<string, string>;
  notice?: string | undefined;
}

export function TenantsPage(props: TenantsPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>Tenants</h1>
        {props.canCreate && (
          <div class="actions">
            <a class="button" href="#create-tenant-heading">
              Create a tenant
            </a>
          </div>
        )}
      </div>
      {props.notice && <Notice kind="success">{props.notice}</Notice>}
      <form method="get" action="/admin/tenants" class="filters" aria-label="Search tenants">
        <div class="field">
          <label for="tenant-query">Search name or slug</label>
          <input id="tenant-query" name="query" type="search" value={props.query} />
        </div>
        <button type="submit" class="secondary">
          Search
        </button>
      </form>
      {props.rows.length === 0 ? (
        <p class="empty">{props.query ? "No tenant matches." : "No tenants yet. Create the first one below."}</p>
      ) : (
        <table class="data-table">
          <caption class="visually-hidden">Tenants</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Active members</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr>
                <td class="cell-primary" data-label="Name">
                  <a href={`/admin/tenants/${row.slug}`}>{row.name}</a>
                </td>
                <td data-label="Slug">
                  <code class="wrap">{row.slug}</code>
                </td>
                <td data-label="Active members">{row.memberCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NextPageLink href={props.nextPageHref} />
      {props.canCreate && (
        <section aria-labelledby="create-tenant-heading" class="narrow">
          <h2 id="create-tenant-heading">Create a tenant</h2>
          <FormErrorSummary errors={props.errors} />
          <form method="post" action="/admin/tenants" novalidate>
            <TextField
              name="name"
              label="Name"
              value={props.values.name}
              error={props.errors.name}
              maxlength={100}
              required
            />
            <TextField
              name="slug"
              label="Slug"
              value={props.values.slug}
              error={props.errors.slug}
              hint="3 to 63 lower-case letters, digits and dashes; used in the portal's address (/portal/acme-corp)."
              required
            />
            <TextField
              name="description"
              multiline
              label="Description (optional)"
              value={props.values.description}
              error={props.errors.description}
              maxlength={2000}
            />
            <div class="form-actions">
              <button type="submit">Create tenant</button>
            </div>
          </form>
        </section>
      )}
    </>
  );
}
