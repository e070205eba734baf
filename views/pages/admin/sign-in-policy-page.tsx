// Admin → Sign-in policy (Super admins): the global roles that must sign in with a passkey, what
// that does, and the people under it who have no passkey yet.
import type { GlobalRole } from "../../../src/db/schema";
import type { Flash } from "../../../src/http/flash";
import { labelUserRole } from "../../../src/labels";
import { FlashNotice } from "../../components/flash-notice";
import { Notice } from "../../components/form-fields";
import { RecentSignInNeeded } from "../../components/recent-sign-in-needed";

export interface SignInPolicyPageProps {
  roles: Array<{ value: GlobalRole; label: string; checked: boolean }>;
  /** The roles required as shown, sent back with the form (a change made meanwhile is refused). */
  shown: string;
  nonCompliant: {
    people: Array<{ id: string; firstName: string; lastName: string; email: string; role: GlobalRole }>;
    total: number;
  };
  hasRecentSignIn: boolean;
  error?: string | undefined;
  flash?: Flash | undefined;
}

function NonCompliantPeople({
  nonCompliant,
  anyRequired,
}: Pick<SignInPolicyPageProps, "nonCompliant"> & { anyRequired: boolean }) {
  const { people, total } = nonCompliant;
  if (!anyRequired) return <p class="empty">No role requires a passkey, so everyone is compliant.</p>;
  if (total === 0) return <p class="empty">Everyone whose role requires a passkey has one.</p>;
  return (
    <>
      <p>
        {total === 1 ? "1 person" : `${total} people`} with a required role {total === 1 ? "has" : "have"} no passkey
        yet{people.length < total ? `; the first ${people.length} by name are listed` : ""}. At their next sign-in they
        are asked to add one.
      </p>
      <table class="data-table">
        <caption class="visually-hidden">People without a passkey</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
          </tr>
        </thead>
        <tbody>
          {people.map((person) => (
            <tr>
              <td class="cell-primary" data-label="Name">
                <a href={`/admin/users/${person.id}/security`}>
                  {person.firstName} {person.lastName}
                </a>
              </td>
              <td class="wrap" data-label="Email">
                {person.email}
              </td>
              <td data-label="Role">{labelUserRole(person.role)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function SignInPolicyPage(props: SignInPolicyPageProps) {
  const editable = props.hasRecentSignIn;
  return (
    <>
      <div class="page-heading">
        <h1>Sign-in policy</h1>
      </div>
      <FlashNotice flash={props.flash} />
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <section class="panel policy-effects" aria-labelledby="policy-effects-heading">
        <h2 id="policy-effects-heading">What requiring a passkey does</h2>
        <ul>
          <li>
            At their next sign-in, someone with a chosen role who has no passkey is asked to add one, and can open
            nothing else until they do. Sessions already open are not ended.
          </li>
          <li>
            Once they have a passkey, their authenticator app no longer signs them in: they sign in with the passkey.
          </li>
          <li>
            A recovery code is the way back for someone who lost their passkeys: it signs them in only to add a new
            passkey. A two-factor reset on their Security tab removes every passkey and sends a new setup link.
          </li>
        </ul>
      </section>
      <form method="post" action="/admin/sign-in-policy">
        <input type="hidden" name="shown" value={props.shown} />
        <fieldset>
          <legend>Require a passkey to sign in for these roles</legend>
          {props.roles.map((role) => (
            <div>
              <input
                type="checkbox"
                id={`role-${role.value}`}
                name="roles"
                value={role.value}
                checked={role.checked}
                disabled={!editable}
              />{" "}
              <label for={`role-${role.value}`}>{role.label}</label>
            </div>
          ))}
        </fieldset>
        {editable ? (
          <div class="form-actions">
            <button type="submit">Save policy</button>
          </div>
        ) : (
          <RecentSignInNeeded next="/admin/sign-in-policy" />
        )}
      </form>
      <h2 id="non-compliant-heading">Not yet compliant</h2>
      <NonCompliantPeople nonCompliant={props.nonCompliant} anyRequired={props.shown !== ""} />
    </>
  );
}
