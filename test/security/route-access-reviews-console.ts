// Access rows of Admin → Access reviews (test/budget/route-budgets-reviews-console.ts; see
// route-access-table.ts for the personas). The list ("Your reviews") and one review's page and its
// decision forms are for every staff member (what each may see and decide is the domain's reviewableBy
// and authorize() per item); campaigns and the evidence are Super admin only, so an Operator holding
// every permission gets 403. The fixture has no review, so one campaign's or review's routes target
// {missing}: allowed shows as 404, an empty decision form too (refused, it would be shown again on
// the review's page, and a review that does not exist answers 404).
import { consoleAnyStaff, consoleSuperAdmin, type RouteRow } from "./route-access-answers";

const ofMissingCampaign = (method: "GET" | "POST", route: string, ok = 404): RouteRow => ({
  method,
  route: `/admin/reviews/:campaignId${route}`,
  path: `/admin/reviews/{missing}${route}`,
  expect: consoleSuperAdmin(ok),
});

export const reviewsConsoleAccessRows: RouteRow[] = [
  { method: "GET", route: "/admin/reviews", path: "/admin/reviews", expect: consoleAnyStaff(200) },
  { method: "GET", route: "/admin/reviews/new", path: "/admin/reviews/new", expect: consoleSuperAdmin(200) },
  { method: "POST", route: "/admin/reviews", path: "/admin/reviews", expect: consoleSuperAdmin(400) },
  ofMissingCampaign("GET", ""),
  ofMissingCampaign("GET", "/edit"),
  // An empty form is refused before the campaign is read: the form again.
  ofMissingCampaign("POST", "/edit", 400),
  ofMissingCampaign("GET", "/stop"),
  ofMissingCampaign("POST", "/stop"),
  ofMissingCampaign("POST", "/start"),
  {
    method: "GET",
    route: "/admin/reviews/runs/:runId",
    path: "/admin/reviews/runs/{missing}",
    expect: consoleAnyStaff(404),
  },
  {
    method: "POST",
    route: "/admin/reviews/runs/:runId/items/:itemId/decision",
    path: "/admin/reviews/runs/{missing}/items/{missing}/decision",
    expect: consoleAnyStaff(404),
  },
  {
    method: "POST",
    route: "/admin/reviews/runs/:runId/decisions",
    path: "/admin/reviews/runs/{missing}/decisions",
    expect: consoleAnyStaff(404),
  },
  {
    method: "GET",
    route: "/admin/reviews/runs/:runId/evidence.csv",
    path: "/admin/reviews/runs/{missing}/evidence.csv",
    expect: consoleSuperAdmin(404),
  },
  {
    method: "GET",
    route: "/admin/reviews/runs/:runId/evidence.json",
    path: "/admin/reviews/runs/{missing}/evidence.json",
    expect: consoleSuperAdmin(404),
  },
];
