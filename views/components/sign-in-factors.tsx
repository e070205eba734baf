// A user's sign-in factors as an administrator sees them (the Security tab): the authenticator app,
// each passkey by name and time, the recovery codes left, and whether the role's policy requires a
// passkey. Names and times only: nothing here can be used to sign in.
import type { GlobalRole } from "../../src/db/schema";
import type { UserFactors } from "../../src/domain/users/user-factors";
import { labelUserRole } from "../../src/labels";
import { Time } from "./time";

export interface SignInFactorsProps {
  factors: UserFactors;
  role: GlobalRole;
  timeZone: string;
  /** Where the policy is changed, for those who may (Super admins). */
  policyHref?: string | undefined;
}

function PasskeyTable({ passkeys, timeZone }: Pick<UserFactors, "passkeys"> & { timeZone: string }) {
  if (passkeys.length === 0) return <p class="empty">No passkeys.</p>;
  return (
    <table class="data-table">
      <caption class="visually-hidden">Passkeys</caption>
      <thead>
        <tr>
          <th scope="col">Passkey</th>
          <th scope="col">Added</th>
          <th scope="col">Last used</th>
        </tr>
      </thead>
      <tbody>
        {passkeys.map((passkey) => (
          <tr>
            <td class="cell-primary" data-label="Passkey">
              {passkey.name}
            </td>
            <td data-label="Added">
              <Time value={passkey.createdAt} timeZone={timeZone} />
            </td>
            <td data-label="Last used">
              {passkey.lastUsedAt ? <Time value={passkey.lastUsedAt} timeZone={timeZone} /> : "Never"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SignInFactors({ factors, role, timeZone, policyHref }: SignInFactorsProps) {
  const codes = factors.recoveryCodesRemaining;
  return (
    <section aria-labelledby="sign-in-factors-heading">
      <h2 id="sign-in-factors-heading">Sign-in factors</h2>
      <dl class="details">
        <dt>Authenticator app</dt>
        <dd>{factors.authenticatorApp.enrolled ? "Set up" : "Not set up"}</dd>
        <dt>Recovery codes</dt>
        <dd>{codes === 1 ? "1 left" : `${codes} left`}</dd>
        <dt>Passkey required</dt>
        <dd>
          {factors.passkeyRequired
            ? `Yes: the sign-in policy requires a passkey for the role ${labelUserRole(role)}.`
            : `No: the sign-in policy does not require one for the role ${labelUserRole(role)}.`}
          {policyHref && (
            <>
              {" "}
              <a href={policyHref}>Sign-in policy</a>
            </>
          )}
        </dd>
      </dl>
      <h3>Passkeys</h3>
      <PasskeyTable passkeys={factors.passkeys} timeZone={timeZone} />
    </section>
  );
}
