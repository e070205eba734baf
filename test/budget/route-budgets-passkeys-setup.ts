// Budget rows of setup's second step with passkeys (issue 19).
import type { RouteBudget } from "./route-budgets";

export const setupPasskeyBudgets: RouteBudget[] = [];
