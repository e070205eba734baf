import type { D1Migration } from "cloudflare:test";
import type { Bindings } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      DB: D1Database;
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
