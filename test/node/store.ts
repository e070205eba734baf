// The libSQL variant of test/helpers/store.ts (see there), swapped in by the "libsql" project of
// vitest.config.ts. The Worker's env carries the vars of wrangler.toml, a real local KV namespace
// and send_email binding from miniflare, and a libSQL configuration instead of the D1 binding:
// createDbFromEnv(env) takes the libSQL path, whose client is this file's local database
// (test/node/libsql-web-client.ts).
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { inject } from "vitest";
import type { Bindings } from "../../src/env";
import type { RawDb } from "../helpers/raw-db";
import { localClient } from "./local-database";
import { createRawLibsql } from "./raw-libsql";

declare module "vitest" {
  export interface ProvidedContext {
    wranglerVars: Record<string, string>;
    sendEmailBindings: { name: string; allowed_destination_addresses: string[] }[];
  }
}

export const storeName = "libsql" as "d1" | "libsql";

export const miniflare = new Miniflare(
  convertV4MiniflareOptions({
    modules: true,
    script: "export default {}",
    compatibilityDate: "2026-10-01",
    kvNamespaces: ["KV"],
    email: { send_email: inject("sendEmailBindings") },
  }),
);

const { KV, SEND_EMAIL } = await miniflare.getBindings<Pick<Bindings, "KV" | "SEND_EMAIL">>();

export const env: Bindings = {
  ...inject("wranglerVars"),
  KV,
  SEND_EMAIL,
  // Any valid libSQL configuration: the client behind it is the local database.
  LIBSQL_URL: "libsql://gatehouse-tests.local",
  LIBSQL_AUTH_TOKEN: "local-test-token",
} as Bindings;

export const rawDb: RawDb = createRawLibsql(localClient);
