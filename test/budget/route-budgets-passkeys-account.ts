// Budget rows of a person's passkeys and authenticator app on /account, passkey enrolment and step-up by passkey (issue 19).
import type { RouteBudget } from "./route-budgets";

export const accountPasskeyBudgets: RouteBudget[] = [];
