import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
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
    test: { include: ["test/**/*.test.ts", "test/**/*.test.tsx"], setupFiles: ["test/helpers/apply-migrations.ts"] },
  };
});
