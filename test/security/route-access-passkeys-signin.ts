// Access rows of the routes in test/budget/route-budgets-passkeys-signin.ts (see route-access-table.ts for the personas).
// Sign-in is open to everyone (signed in or not): the options for "Sign in with a passkey" are
// issued to any browser (200); the step after the password answers 400 without a sign-in attempt
// (its options: the attempt has ended); the form halves answer 400 to an empty form (no credential).
import { answer, type RouteRow } from "./route-access-answers";

//                          sa   full  ro   con  exp  cadm cview off  anon
const toEveryone = (status: number) => answer([status, status, status, status, status, status, status, status, status]);

export const passkeySignInAccessRows: RouteRow[] = [
  { method: "POST", route: "/login/passkey/options", path: "/login/passkey/options", expect: toEveryone(200) },
  { method: "POST", route: "/login/passkey", path: "/login/passkey", expect: toEveryone(400) },
  {
    method: "POST",
    route: "/login/verify/passkey/options",
    path: "/login/verify/passkey/options",
    expect: toEveryone(400),
  },
  { method: "POST", route: "/login/verify/passkey", path: "/login/verify/passkey", expect: toEveryone(400) },
];
