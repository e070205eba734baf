// The Worker the browser suite runs: the production app from src/app.ts with a clock the tests
// can move, and the same cron jobs reading that clock. Only test/e2e/wrangler.e2e.toml points
// here; wrangler.toml (and so every deployed build) uses src/index.ts, which has no such route
// (test/security/test-hooks.test.ts proves it).
//
// POST /__test__/clock {"set": "<ISO time>"} freezes the clock at that instant;
// {"advanceSeconds": n} moves it forward from where it is. GET answers {"now"}. Until the first
// POST the clock is the real one, so the setup link the bootstrap step issued stays valid.
import { createApp } from "../../src/app";
import type { Bindings } from "../../src/env";
import { runScheduledJobs } from "../../src/jobs/scheduled";

let frozenAtMs: number | null = null;
const clock = (): Date => new Date(frozenAtMs ?? Date.now());
const app = createApp({ clock });

async function moveClock(request: Request): Promise<Response> {
  if (request.method === "POST") {
    const body = (await request.json().catch(() => ({}))) as { set?: unknown; advanceSeconds?: unknown };
    if (typeof body.set === "string" && !Number.isNaN(Date.parse(body.set))) frozenAtMs = Date.parse(body.set);
    else if (typeof body.advanceSeconds === "number" && body.advanceSeconds >= 0)
      frozenAtMs = clock().getTime() + body.advanceSeconds * 1000;
    else return Response.json({ error: 'send {"set": "<ISO time>"} or {"advanceSeconds": n}' }, { status: 400 });
  }
  return Response.json({ now: clock().toISOString() });
}

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/__test__/clock") return moveClock(request);
    return app.fetch(request, env, ctx);
  },
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(runScheduledJobs(env, clock()));
  },
} satisfies ExportedHandler<Bindings>;
