import { Time } from "../../components/time";
import type { NavigationItem } from "../../layouts/page-layout";

export interface ConsoleHomeTenant {
  slug: string;
  name: string;
  role: string;
  expiresAt: Date | null;
  daysLeft: number | null;
}

export interface ConsoleHomePageProps {
  displayName: string;
  timeZone: string;
  sections: NavigationItem[];
  tenants: ConsoleHomeTenant[];
  administrators: Array<{ name: string; email: string }>;
}

export function ConsoleHomePage(props: ConsoleHomePageProps) {
  const isEmpty = props.sections.length === 0 && props.tenants.length === 0;
  return (
    <>
      <h1>Welcome, {props.displayName}</h1>
      {isEmpty && (
        <section class="notice notice-info" aria-labelledby="no-access-heading">
          <h2 id="no-access-heading">You have no access yet</h2>
          <p>
            Gatehouse is least-privilege by default: your account works, but nobody has given you access to a tenant or
            an admin section yet. Ask an administrator to add you to a tenant membership or an access group.
          </p>
          {props.administrators.length > 0 && (
            <>
              <p>Administrators who can grant access:</p>
              <ul>
                {props.administrators.map((admin) => (
                  <li>
                    {admin.name} — <a href={`mailto:${admin.email}`}>{admin.email}</a>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
      {props.sections.length > 0 && (
        <section aria-labelledby="sections-heading">
          <h2 id="sections-heading">Admin console</h2>
          <ul>
            {props.sections.map((section) => (
              <li>
                <a href={section.href}>{section.label}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {props.tenants.length > 0 && (
        <section aria-labelledby="tenants-heading">
          <h2 id="tenants-heading">Your tenants</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Your role</th>
                <th scope="col">Access expires</th>
              </tr>
            </thead>
            <tbody>
              {props.tenants.map((tenant) => (
                <tr>
                  <td>
                    <a href={`/tenants/${tenant.slug}`}>{tenant.name}</a>
                  </td>
                  <td>{tenant.role}</td>
                  <td>
                    {tenant.expiresAt ? (
                      <>
                        <Time value={tenant.expiresAt} timeZone={props.timeZone} /> ({tenant.daysLeft} days left)
                      </>
                    ) : (
                      "never"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
