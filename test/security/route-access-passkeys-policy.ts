// Access rows of the routes in test/budget/route-budgets-passkeys-policy.ts (see route-access-table.ts for the personas).
import type { RouteRow } from "./route-access-answers";

export const passkeyPolicyAccessRows: RouteRow[] = [];
