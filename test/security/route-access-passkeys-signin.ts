// Access rows of the routes in test/budget/route-budgets-passkeys-signin.ts (see route-access-table.ts for the personas).
import type { RouteRow } from "./route-access-answers";

export const passkeySignInAccessRows: RouteRow[] = [];
