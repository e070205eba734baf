// Access rows of the routes in test/budget/route-budgets-passkeys-setup.ts (see route-access-table.ts for the personas).
import { answer, type RouteRow } from "./route-access-answers";

// Without the setup cookie of a live link every caller gets the setup link's neutral 404, signed in or not.
export const setupPasskeyAccessRows: RouteRow[] = [
  {
    method: "POST",
    route: "/setup/passkey/options",
    path: "/setup/passkey/options",
    expect: answer([404, 404, 404, 404, 404, 404, 404, 404, 404]),
  },
  {
    method: "POST",
    route: "/setup/passkey",
    path: "/setup/passkey",
    expect: answer([404, 404, 404, 404, 404, 404, 404, 404, 404]),
  },
];
