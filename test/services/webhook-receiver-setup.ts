// globalSetup of the d1 and libsql projects: test files in workerd cannot start processes, so the
// webhook receiver (test/services/webhook-receiver.mjs) starts here, once per project and run, and
// its URL reaches the tests through provide/inject (test/helpers/webhook-receiver.ts).
import type { TestProject } from "vitest/node";
import { startService } from "./start-service";

export default async function setup(project: TestProject) {
  const receiver = await startService({
    name: "webhook receiver",
    command: process.execPath,
    args: [new URL("webhook-receiver.mjs", import.meta.url).pathname],
    ready: /listening/,
  });
  project.provide("webhookReceiverUrl", receiver.url);
  return () => receiver.stop();
}
