// The two builds (docs/STORES.md "Two builds"): wrangler.toml, the D1 deployment, aliases the libSQL
// client away to src/db/libsql-left-out.ts; wrangler.libsql.toml is the same Worker on libSQL, with
// the client. Here the stub stands in for the client as the D1 bundle's alias puts it in.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { createApp } from "../../src/app";
import { createDbFromEnv } from "../../src/db/connect";
import { readStoreConfig } from "../../src/env";
import { env } from "../helpers/store";

vi.mock("@libsql/client/web", () => import("../../src/db/libsql-left-out"));

const root = join(import.meta.dirname, "..", "..");
const leftOut =
  /^Gatehouse configuration is invalid: LIBSQL_URL is set, but this Worker was deployed from wrangler\.toml, the D1 build, which leaves the libSQL client out; deploy it with `wrangler deploy -c wrangler\.libsql\.toml`/;

function readRaw(path: string): Record<string, unknown> {
  return experimental_readRawConfig({ config: join(root, path) }).rawConfig as Record<string, unknown>;
}

describe("the D1 build, which leaves the libSQL client out", () => {
  it("fails the first request of a Worker configured for libSQL, naming the config to deploy instead", async () => {
    expect(() => createDbFromEnv({ ...env })).toThrow(leftOut);

    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const response = await createApp().request("http://localhost:8787/healthz", {}, { ...env });
      expect(response.status).toBe(500);
      expect(await response.text()).not.toContain("LIBSQL");
      expect(logged.mock.calls.flat().join("\n")).toMatch(
        /Gatehouse configuration is invalid: LIBSQL_URL is set, but this Worker was deployed from wrangler\.toml/,
      );
    } finally {
      logged.mockRestore();
    }
  });

  it("puts the stub in place of both import paths of the client", () => {
    const stub = "./src/db/libsql-left-out.ts";
    expect(readRaw("wrangler.toml").alias).toEqual({ "@libsql/client": stub, "@libsql/client/web": stub });
    expect(existsSync(join(root, stub))).toBe(true);
  });
});

describe("wrangler.libsql.toml", () => {
  it("is wrangler.toml without the D1 binding and the alias, with LIBSQL_URL", () => {
    const { alias: _alias, d1_databases: d1, vars: d1Vars, ...d1Rest } = readRaw("wrangler.toml");
    const { vars: libsqlVars, ...libsqlRest } = readRaw("wrangler.libsql.toml");
    const { LIBSQL_URL: url, ...otherVars } = libsqlVars as Record<string, string>;
    expect(d1).toEqual([expect.objectContaining({ binding: "DB" })]);
    expect(libsqlRest).toEqual(d1Rest);
    expect(otherVars).toEqual(d1Vars);
    expect(url).toBeTypeOf("string");
  });

  it("refuses its placeholder URL on the first request, naming LIBSQL_URL", () => {
    const { LIBSQL_URL: url } = readRaw("wrangler.libsql.toml").vars as Record<string, string>;
    expect(() => readStoreConfig({ ...env, LIBSQL_URL: url })).toThrow(/LIBSQL_URL must be a libsql:\/\//);
  });
});
