// The cron trigger's entry. Filled in by the expiry sweep and outbox delivery jobs.
import type { Bindings } from "../env";

export async function runScheduledJobs(_env: Bindings, _now: Date): Promise<void> {}
