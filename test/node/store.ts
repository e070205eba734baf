// The libSQL variant of test/helpers/store.ts (see there), swapped in by the "libsql" project of
// vitest.config.ts. The Worker's env carries the vars of wrangler.toml, the tests' fixed secrets
// (vitest.config.ts), a real local KV namespace and send_email binding from miniflare, and a libSQL configuration instead of the D1 binding:
// createDbFromEnv(env) makes the production web client, talking HTTP to this file's database.
import type { Miniflare } from "miniflare";
import { inject } from "vitest";
import type { Bindings } from "../../src/env";
import type { RawDb } from "../helpers/raw-db";
import { libsqlServer, localClient } from "./local-database";
import { createRawLibsql } from "./raw-libsql";

declare module "vitest" {
  export interface ProvidedContext {
    wranglerVars: Record<string, string>;
    sendEmailBindings: { name: string; allowed_destination_addresses: string[] }[];
    testSecrets: Record<string, string>;
  }
}

type MiniflareBindings = Required<Pick<Bindings, "KV" | "SEND_EMAIL">>;

export const storeName = "libsql" as "d1" | "libsql";

let miniflare: Miniflare | undefined;
let bindings: Promise<MiniflareBindings> | undefined;

// miniflare (a large module and a workerd process) is loaded and started when a test first touches
// KV or send_email: about a second per test file that is saved where neither is used.
function startMiniflare(): Promise<MiniflareBindings> {
  bindings ??= import("miniflare").then(({ convertV4MiniflareOptions, Miniflare }) => {
    miniflare = new Miniflare(
      convertV4MiniflareOptions({
        modules: true,
        script: "export default {}",
        compatibilityDate: "2026-10-01",
        kvNamespaces: ["KV"],
        email: { send_email: inject("sendEmailBindings") },
      }),
    );
    return miniflare.getBindings<MiniflareBindings>();
  });
  return bindings;
}

function lazyBinding<Name extends keyof MiniflareBindings>(name: Name): MiniflareBindings[Name] {
  const forward =
    (method: PropertyKey) =>
    async (...args: unknown[]) => {
      const binding = (await startMiniflare())[name] as unknown as Record<PropertyKey, (...args: unknown[]) => unknown>;
      return binding[method]?.(...args);
    };
  return new Proxy({}, { get: (_target, method) => forward(method) }) as MiniflareBindings[Name];
}

export async function disposeMiniflare(): Promise<void> {
  await bindings?.catch(() => undefined);
  await miniflare?.dispose();
}

export const env: Bindings = {
  ...inject("wranglerVars"),
  ...inject("testSecrets"),
  KV: lazyBinding("KV"),
  SEND_EMAIL: lazyBinding("SEND_EMAIL"),
  LIBSQL_URL: libsqlServer.url,
  LIBSQL_AUTH_TOKEN: "local-test-token",
} as Bindings;

export const rawDb: RawDb = createRawLibsql(localClient);
