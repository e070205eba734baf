// Access rows of the routes in test/budget/route-budgets-passkeys-account.ts (see route-access-table.ts for the personas).
// The personas have an authenticator app and no passkey, and signed in moments ago (a recent sign-in).
// None is confined by the passkey policy, so /enrol-passkey sends each to its landing page (or to /login).
import { answer, type RouteRow, self } from "./route-access-answers";

const notConfined = answer([303, 303, 303, 303, 303, 303, 303, 303, 303]);

export const accountPasskeyAccessRows: RouteRow[] = [
  // No name: the options are refused as JSON before any challenge.
  { method: "POST", route: "/account/passkeys/options", path: "/account/passkeys/options", expect: self(400) },
  { method: "POST", route: "/account/passkeys", path: "/account/passkeys", expect: self(400) },
  { method: "GET", route: "/account/passkeys/:id", path: "/account/passkeys/{missing}", expect: self(404) },
  {
    method: "POST",
    route: "/account/passkeys/:id/name",
    path: "/account/passkeys/{missing}/name",
    body: { name: "Laptop" },
    expect: self(404),
  },
  {
    method: "GET",
    route: "/account/passkeys/:id/remove",
    path: "/account/passkeys/{missing}/remove",
    expect: self(404),
  },
  {
    method: "POST",
    route: "/account/passkeys/:id/remove",
    path: "/account/passkeys/{missing}/remove",
    body: { confirm: "yes" },
    expect: self(404),
  },
  // They already have an authenticator app: a second one is refused (the form's page cannot be shown again).
  { method: "GET", route: "/account/authenticator-app", path: "/account/authenticator-app", expect: self(409) },
  { method: "POST", route: "/account/authenticator-app", path: "/account/authenticator-app", expect: self(409) },
  // It is their only second factor: never removed.
  {
    method: "GET",
    route: "/account/authenticator-app/remove",
    path: "/account/authenticator-app/remove",
    expect: self(409),
  },
  {
    method: "POST",
    route: "/account/authenticator-app/remove",
    path: "/account/authenticator-app/remove",
    body: { confirm: "yes" },
    expect: self(409),
  },
  // No passkey to step up with.
  {
    method: "POST",
    route: "/reauthenticate/passkey/options",
    path: "/reauthenticate/passkey/options",
    expect: self(409),
  },
  { method: "POST", route: "/reauthenticate/passkey", path: "/reauthenticate/passkey", expect: self(400) },
  {
    method: "POST",
    route: "/account/recovery-codes/passkey",
    path: "/account/recovery-codes/passkey",
    expect: self(400),
  },
  { method: "GET", route: "/enrol-passkey", path: "/enrol-passkey", expect: notConfined },
  { method: "POST", route: "/enrol-passkey/options", path: "/enrol-passkey/options", expect: notConfined },
  { method: "POST", route: "/enrol-passkey", path: "/enrol-passkey", expect: notConfined },
];
