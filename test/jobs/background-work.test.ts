import type { ExecutionContext } from "hono";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { runInBackground } from "../../src/http/background";
import { collectBackgroundWork } from "../helpers/background";
import { env } from "../helpers/store";

const url = "http://localhost:8787/test/background";

/** An app with one route that answers at once and leaves its work running, gated by the test. */
function createAppWithBackgroundRoute(options: Parameters<typeof createApp>[0]) {
  let openGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
  const kvKey = `background-work:${crypto.randomUUID()}`;
  const app = createApp(options);
  app.get("/test/background", (c) => {
    runInBackground(
      c,
      gate.then(() => c.env.KV.put(kvKey, "done")),
    );
    return c.text("scheduled");
  });
  return { app, openGate, readWork: () => env.KV.get(kvKey) };
}

describe("background work", () => {
  it("answers before its background work ends, and lets a test await that work", async () => {
    const background = collectBackgroundWork();
    const { app, openGate, readWork } = createAppWithBackgroundRoute({ runInBackground: background.runInBackground });

    const response = await app.request(url, {}, env);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await readWork()).toBeNull();

    openGate();
    await background.settleBackgroundWork();
    expect(await readWork()).toBe("done");
  });

  it("hands background work to the request's ExecutionContext when it has one, as in production", async () => {
    const fellBack: Promise<unknown>[] = [];
    const { app, openGate, readWork } = createAppWithBackgroundRoute({
      runInBackground: (work) => void fellBack.push(work),
    });
    const waitedFor: Promise<unknown>[] = [];
    // What workerd passes to the Worker's fetch handler, reduced to what the app may call.
    const executionContext: ExecutionContext = {
      waitUntil: (work) => void waitedFor.push(work),
      passThroughOnException: () => undefined,
      props: {},
    };

    const response = await app.fetch(new Request(url), env, executionContext);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(waitedFor).toHaveLength(1);
    expect(fellBack).toHaveLength(0);
    openGate();
    await Promise.all(waitedFor);
    expect(await readWork()).toBe("done");
  });

  it("refuses background work it could lose: no ExecutionContext and no runInBackground option", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const { app, readWork } = createAppWithBackgroundRoute({});
      const response = await app.request(url, {}, env);
      expect(response.status).toBe(500);
      expect(logged.mock.calls.flat().join("\n")).toContain(
        "no ExecutionContext and createApp got no runInBackground option",
      );
      expect(await readWork()).toBeNull();
    } finally {
      logged.mockRestore();
    }
  });
});
