// Budget rows of passkey sign-in and the passkey second step (issue 19).
import type { RouteBudget } from "./route-budgets";

export const passkeySignInBudgets: RouteBudget[] = [];
