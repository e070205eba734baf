import { describe, expect, it } from "vitest";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs } from "../helpers/factories";

// D1 refuses LIKE patterns over 50 bytes: every search box must still answer a long query (found
// by the security sweep, which types an HTML payload into every field).
const longQuery = `G28 "'><script>__gx=1;console.log('xss-canary')</script><img src=x onerror=alert('xss-canary')> 100% _done_`;

describe("long search queries", () => {
  it("answer normally on every page with a search box, and match % and _ literally", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN", lastName: "Percent_100%" });
    const agent = await signInAs(app, clock, admin);
    const query = encodeURIComponent(longQuery);
    for (const path of [
      `/admin/users?query=${query}`,
      `/admin/tenants?query=${query}`,
      `/admin/access-groups/grp_readonly_auditor?find=${query}`,
      `/api/v1/users?query=${query}`,
      `/api/v1/tenants?query=${query}`,
    ]) {
      const response = await agent.get(path);
      expect(response.status, `${path}: ${await summarizeResponse(response)}`).toBe(200);
    }
    const literal = await (await agent.get(`/api/v1/users?query=${encodeURIComponent("cent_100%")}`)).json<{
      items: Array<{ id: string }>;
    }>();
    expect(literal.items.map((user) => user.id)).toEqual([admin.id]);
    const picker = await (
      await agent.get(`/admin/access-groups/grp_readonly_auditor?find=${encodeURIComponent("percent_100")}`)
    ).text();
    expect(picker).toContain(admin.email);
  });
});
