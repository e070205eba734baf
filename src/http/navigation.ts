// What the sidebar (the menu on phones) shows a given principal: only the sections authorize() lets them open. The page
// renderers (page-renderer.tsx) put it on every signed-in page.
import type { NavigationItem, SignedInUser } from "../../views/layouts/page-layout";
import type { GlobalRole } from "../db/schema";
import { authorize, isStaffRole, type Principal, type Requirement } from "../domain/access";
import { labelUserRole } from "../labels";

const sections: Array<{ href: string; label: string; requirement: Requirement }> = [
  { href: "/admin/users", label: "Users", requirement: { kind: "console", permission: "users:read" } },
  { href: "/admin/tenants", label: "Tenants", requirement: { kind: "console", permission: "tenants:read" } },
  {
    href: "/admin/memberships",
    label: "Memberships",
    requirement: { kind: "console", permission: "memberships:read" },
  },
  { href: "/admin/access-groups", label: "Access groups", requirement: { kind: "console", permission: "groups:read" } },
  { href: "/admin/reviews", label: "Access reviews", requirement: { kind: "console" } },
  { href: "/admin/audit", label: "Audit log", requirement: { kind: "console", permission: "audit:read" } },
  { href: "/admin/outbox", label: "Outbox", requirement: { kind: "instance-admin" } },
  { href: "/admin/directories", label: "Directories", requirement: { kind: "instance-admin" } },
  { href: "/admin/webhooks", label: "Webhooks", requirement: { kind: "instance-admin" } },
  { href: "/admin/sign-in-policy", label: "Sign-in policy", requirement: { kind: "instance-admin" } },
];

export function buildNavigation(principal: Principal, currentPath: string): NavigationItem[] {
  const items: NavigationItem[] = [];
  const isCurrent = (href: string) => currentPath === href || currentPath.startsWith(`${href}/`);
  if (authorize(principal, { kind: "portal" }).allowed) {
    items.push({ href: "/portal", label: "Portal", current: isCurrent("/portal") });
  } else {
    items.push({ href: "/admin", label: "Home", current: currentPath === "/admin" });
    for (const section of sections) {
      if (authorize(principal, section.requirement).allowed) {
        items.push({ href: section.href, label: section.label, current: isCurrent(section.href) });
      }
    }
  }
  return items;
}

export function signedInUser(principal: Principal): SignedInUser {
  return {
    displayName: principal.user.displayName,
    email: principal.user.email,
    role: labelUserRole(principal.user.role),
  };
}

/** Only same-origin paths: "/x" but never "//host", "/\\host" or anything with a scheme. */
export function sanitizeNextPath(value: string | undefined | null): string | null {
  if (!value || value.length > 500) return null;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return null;
  try {
    const resolved = new URL(value, "https://gatehouse.invalid");
    if (resolved.origin !== "https://gatehouse.invalid") return null;
    // Dot segments can collapse into a protocol-relative path: "/a/..//evil.example" → "//evil.example".
    if (resolved.pathname.startsWith("//")) return null;
    return `${resolved.pathname}${resolved.search}`;
  } catch {
    return null;
  }
}

/** Where a user lands after signing in, completing setup or opening "/": the console or the portal. */
export function landingPathFor(user: { role: GlobalRole }): string {
  return isStaffRole(user.role) ? "/admin" : "/portal";
}

/** Where a session that must add a passkey first is sent, from every page (docs/PASSKEYS.md "The policy"). */
export const passkeyEnrolmentPath = "/enrol-passkey";
