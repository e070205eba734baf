import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import type { Plugin } from "vitest/config";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";

const root = dirname(fileURLToPath(import.meta.url));
const fromRoot = (path: string) => join(root, path);

// A local send_email binding for the provider tests; it refuses any other recipient.
const sendEmailBindings = [{ name: "SEND_EMAIL", allowed_destination_addresses: ["deliverable@example.test"] }];

// The Worker secrets of the tests, in both stores: a fixed SECRETS_KEYS (key id "test", the bytes 0 to 31)
// and a fixed audit-log signing key (test/helpers/audit-log.ts has its verifier key and an earlier key).
const testSecrets = {
  SECRETS_KEYS: "test:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  AUDIT_SIGNING_KEYS: "PRIVATE+KEY+gatehouse.test/audit+5499103f+Acv9Nc67kZYEeqzxsWQ16nZSBGKTGXnIl6DIiULN+nNX",
};

// The loopback webhook receiver, started once per project for the delivery tests (docs/TESTING.md "Services for tests").
const webhookReceiverSetup = "test/services/webhook-receiver-setup.ts";

// The suites that run on both stores: everything below the HTTP layer. Pages, API and security
// tests stay on D1 only (they drive the same domain code through routes).
const storeSuites = ["test/auth", "test/db", "test/domain", "test/jobs"].flatMap((folder) => [
  `${folder}/**/*.test.ts`,
  `${folder}/**/*.test.tsx`,
]);

/**
 * In the libsql project, every import of test/helpers/store.ts gets test/node/store.ts instead; a
 * test there that imports "cloudflare:test" fails with a message saying what to import instead.
 */
function useLibsqlTestStore(): Plugin {
  const d1Store = fromRoot("test/helpers/store.ts");
  const libsqlStore = fromRoot("test/node/store.ts");
  const workerdOnly = "\0workerd-only:";
  return {
    name: "gatehouse-libsql-test-store",
    enforce: "pre",
    async resolveId(source, importer, options) {
      if (source === "cloudflare:test") return `${workerdOnly}${importer ?? "a test"}`;
      if (!source.endsWith("/store")) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id === d1Store ? libsqlStore : null;
    },
    load(id) {
      if (!id.startsWith(workerdOnly)) return null;
      const message = `${id.slice(workerdOnly.length)} imports "cloudflare:test", which exists only in workerd. Tests in test/auth, test/db, test/domain and test/jobs also run on libSQL in Node: import env and rawDb from test/helpers/store instead.`;
      return `throw new Error(${JSON.stringify(message)});`;
    },
  };
}

import { E2eSequencer } from "./test/e2e/sequencer.ts";

// Three projects, one `vitest run`: "d1" runs inside workerd with the real local D1 and KV;
// "libsql" runs the store-level suites again in Node against libSQL; "e2e" (test/e2e, Node)
// starts the app as `npm start` does and drives Debian's chromium through it, after the other two
// have finished (groupOrder), so they never compete for CPU.
// argon2id costs about 25 ms per hash: a test that signs in dozens of times takes seconds, and
// twice that on a busy two-core CI machine, where vitest's 5 s default made it flaky.
const testTimeout = 15_000;

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  const { vars } = unstable_readConfig({ config: "wrangler.toml" });
  return {
    test: {
      // A root option: it orders the files of every project (see test/e2e/sequencer.ts).
      sequence: { sequencer: E2eSequencer },
      // vitest's default leaves a core idle (cores - 1): on a two-core CI machine that is one test
      // file at a time, and the d1 and libsql projects took 8 minutes instead of 4. Test files wait
      // on workerd and SQLite as much as on the CPU, so one per core is the better fit.
      maxWorkers: availableParallelism(),
      projects: [
        {
          extends: false,
          plugins: [
            cloudflareTest({
              main: "src/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations, ...testSecrets },
                email: { send_email: sendEmailBindings },
              },
            }),
          ],
          test: {
            name: "d1",
            include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
            exclude: ["test/node/**", "test/e2e/**"],
            setupFiles: ["test/helpers/apply-migrations.ts"],
            globalSetup: [webhookReceiverSetup],
            testTimeout,
            sequence: { groupOrder: 0 },
          },
        },
        {
          extends: false,
          plugins: [useLibsqlTestStore()],
          resolve: {
            alias: {
              "@phi-ag/argon2/argon2.wasm": fromRoot("test/node/argon2-wasm.ts"),
            },
          },
          test: {
            name: "libsql",
            environment: "node",
            include: [...storeSuites, "test/node/**/*.test.ts"],
            setupFiles: ["test/node/setup.ts"],
            globalSetup: [webhookReceiverSetup],
            provide: { wranglerVars: vars as Record<string, string>, sendEmailBindings, testSecrets },
            testTimeout,
            sequence: { groupOrder: 0 },
          },
        },
        {
          extends: false,
          test: {
            name: "e2e",
            environment: "node",
            include: ["test/e2e/**/*.e2e.ts"],
            globalSetup: ["test/e2e/global-setup.ts"],
            // One app, one database, one story: files run one after another in E2eSequencer's order.
            fileParallelism: false,
            sequence: { groupOrder: 1 },
            testTimeout: 600_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
