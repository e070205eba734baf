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

// Seen by both tsconfigs: the helper that injects it runs in workerd, the globalSetup that provides it in Node.
declare module "vitest" {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the webhook receiver (test/services/webhook-receiver-setup.ts). */
    webhookReceiverUrl: string;
  }
}
