// Who is in a tenant (SPEC §4): its client users (with their setup state) and "who has access to
// your company" — the operators and contractors with their role and expiry. Live memberships only.
import { and, asc, eq, gt, isNull, or, type SQL, sql } from "drizzle-orm";
import { memberships, users } from "../db/schema";
import type { DomainContext } from "./context";
import { deriveUserStatus } from "./users";

// A tenant page shows at most this many people; the admin console pages through the rest.
export const tenantPeopleLimit = 500;

export interface TenantPerson {
  membershipId: string;
  userId: string;
  name: string;
  email: string;
  role: (typeof memberships.$inferSelect)["role"];
  expiresAt: Date | null;
  status: "PENDING" | "ACTIVE" | "DEACTIVATED";
}

// Distinct column names, so the select can run inside a db.batch() as well.
export function selectTenantPeople(ctx: Pick<DomainContext, "db" | "now">, tenantId: string | SQL) {
  return ctx.db
    .select({
      // Aliased: memberships.id and users.id would both be "id", which a D1 batch cannot tell apart.
      membershipId: sql<string>`${memberships.id}`.as("membership_id"),
      userId: sql<string>`${users.id}`.as("person_id"),
      name: users.displayName,
      email: users.email,
      role: memberships.role,
      expiresAt: memberships.expiresAt,
      activatedAt: users.activatedAt,
      deactivatedAt: users.deactivatedAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.tenantId, tenantId),
        isNull(memberships.revokedAt),
        or(isNull(memberships.expiresAt), gt(memberships.expiresAt, ctx.now)),
      ),
    )
    .orderBy(asc(users.displayName), asc(memberships.id))
    .limit(tenantPeopleLimit);
}

type PeopleRows = Awaited<ReturnType<typeof selectTenantPeople>>;

export function splitTenantPeople(rows: PeopleRows): { clients: TenantPerson[]; staff: TenantPerson[] } {
  const people = rows.map(({ activatedAt, deactivatedAt, ...row }) => ({
    ...row,
    status: deriveUserStatus({ activatedAt, deactivatedAt }),
  }));
  return {
    clients: people.filter((person) => person.role === "CLIENT_ADMIN" || person.role === "CLIENT_VIEWER"),
    staff: people.filter((person) => person.role === "OPERATOR_FULL" || person.role === "OPERATOR_READONLY"),
  };
}
