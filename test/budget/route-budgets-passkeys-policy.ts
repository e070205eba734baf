// Budget rows of the sign-in policy page, the Security tab's factors and the factors API (issue 19).
import type { RouteBudget } from "./route-budgets";

export const passkeyPolicyBudgets: RouteBudget[] = [];
