import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { createDbFromEnv } from "../../src/db/connect";
import { type Bindings, readConfig, readStoreConfig } from "../../src/env";
import { env } from "../helpers/store";

// The vars and KV of the test env, without a store.
const { DB: _d1, LIBSQL_URL: _url, LIBSQL_AUTH_TOKEN: _token, ...storeless } = env;
const d1 = {} as D1Database;
const turso = { LIBSQL_URL: "libsql://gatehouse-acme.turso.io", LIBSQL_AUTH_TOKEN: "eyJ.token" };

describe("store configuration", () => {
  it("uses D1 when the Worker has the DB binding, libSQL when it has LIBSQL_URL and the token", () => {
    expect(readStoreConfig({ ...storeless, DB: d1 })).toEqual({ kind: "d1", database: d1 });
    expect(readStoreConfig({ ...storeless, ...turso })).toEqual({
      kind: "libsql",
      url: turso.LIBSQL_URL,
      authToken: "eyJ.token",
    });
    expect(
      readStoreConfig({ ...storeless, LIBSQL_URL: "https://db.example.com", LIBSQL_AUTH_TOKEN: "t" }),
    ).toMatchObject({
      kind: "libsql",
    });
    // A self-hosted server on plain HTTP may run without authentication.
    expect(readStoreConfig({ ...storeless, LIBSQL_URL: "http://127.0.0.1:8080" })).toEqual({
      kind: "libsql",
      url: "http://127.0.0.1:8080",
      authToken: undefined,
    });
  });

  it.each([
    ["both stores", { DB: d1, ...turso }, /both a D1 binding DB and LIBSQL_URL are set/],
    ["no store", {}, /no store: bind a D1 database as DB, or set LIBSQL_URL and the LIBSQL_AUTH_TOKEN secret/],
    [
      "a malformed URL",
      { LIBSQL_URL: "turso acme", LIBSQL_AUTH_TOKEN: "t" },
      /LIBSQL_URL must be a libsql:\/\/, https:\/\/ or http:\/\/ URL/,
    ],
    [
      "a URL without a host",
      { LIBSQL_URL: "libsql://", LIBSQL_AUTH_TOKEN: "t" },
      /LIBSQL_URL must be .* URL with a host/,
    ],
    ["a URL without slashes", { LIBSQL_URL: "libsql:gatehouse", LIBSQL_AUTH_TOKEN: "t" }, /LIBSQL_URL must be/],
    ["a file: URL", { LIBSQL_URL: "file:gatehouse.db", LIBSQL_AUTH_TOKEN: "t" }, /LIBSQL_URL must be a libsql:\/\//],
    ["a WebSocket URL", { LIBSQL_URL: "wss://gatehouse-acme.turso.io", LIBSQL_AUTH_TOKEN: "t" }, /LIBSQL_URL must be/],
    [
      "a Turso URL without the token",
      { LIBSQL_URL: turso.LIBSQL_URL },
      /LIBSQL_AUTH_TOKEN is missing: set it with `wrangler secret put LIBSQL_AUTH_TOKEN`/,
    ],
    ["an empty token", { ...turso, LIBSQL_AUTH_TOKEN: " " }, /LIBSQL_AUTH_TOKEN must not be empty/],
    [
      "a leftover token beside D1",
      { DB: d1, LIBSQL_AUTH_TOKEN: "t" },
      /LIBSQL_AUTH_TOKEN is set but the Worker uses the D1 binding DB/,
    ],
  ])("refuses %s with a message naming the setting", (_case, store, message) => {
    const misconfigured: Bindings = { ...storeless, ...store };
    expect(() => readStoreConfig(misconfigured)).toThrow(message);
    expect(() => readConfig(misconfigured)).toThrow(/^Gatehouse configuration is invalid: /);
    expect(() => createDbFromEnv(misconfigured)).toThrow(message);
  });

  it("fails the first request of a misconfigured Worker, logging what to fix", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const response = await createApp().request(
        "http://localhost:8787/healthz",
        {},
        { ...storeless, DB: d1, ...turso },
      );
      expect(response.status).toBe(500);
      expect(await response.text()).not.toContain("LIBSQL");
      expect(logged.mock.calls.flat().join("\n")).toContain(
        "Gatehouse configuration is invalid: both a D1 binding DB and LIBSQL_URL are set",
      );
    } finally {
      logged.mockRestore();
    }
  });

  it("makes one client per isolate: the same Db for every request with the same env", () => {
    const libsqlEnv: Bindings = { ...storeless, ...turso };
    expect(createDbFromEnv(libsqlEnv)).toBe(createDbFromEnv(libsqlEnv));
    expect(createDbFromEnv(env)).toBe(createDbFromEnv(env));
    expect(createDbFromEnv({ ...storeless, ...turso })).not.toBe(createDbFromEnv(libsqlEnv));
  });
});
