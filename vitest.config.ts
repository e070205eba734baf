import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { E2eSequencer } from "./test/e2e/sequencer.ts";

// Two projects, one `vitest run`: "workers" runs inside workerd with the real local D1 and KV;
// "e2e" (test/e2e, Node) starts the app as `npm start` does and drives Debian's chromium through
// it, after the workers project has finished (groupOrder), so the two never compete for CPU.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
      // A root option: it orders the files of every project (see test/e2e/sequencer.ts).
      sequence: { sequencer: E2eSequencer },
      projects: [
        {
          extends: false,
          plugins: [
            cloudflareTest({
              main: "src/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations },
                // A local send_email binding for the provider tests; it refuses any other recipient.
                email: { send_email: [{ name: "SEND_EMAIL", allowed_destination_addresses: ["deliverable@example.test"] }] },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
            exclude: ["test/e2e/**"],
            setupFiles: ["test/helpers/apply-migrations.ts"],
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
