// Drives the Worker with autocannon and reads the workerd processes' CPU time around each phase.
// Latencies come from autocannon's per-response event (fractional milliseconds): its own
// histogram rounds to whole milliseconds, too coarse for a sub-millisecond bare route.
import autocannon from "autocannon";
import { readCpuMilliseconds } from "./processes";

export interface PlannedRequest {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Who the request is for (e.g. the user signing in), for onResponse. Not sent. */
  label?: string;
}

/** A sequence of distinct requests (state-changing routes such as sign-in). */
export interface RequestSequence {
  count: number;
  next: () => PlannedRequest;
  /** Called with each response's status and headers, in the order requests were planned per connection. */
  onResponse?: (request: PlannedRequest, status: number, headers: Record<string, string | string[]>) => void;
}

export type LoadPlan = { kind: "repeat"; request: PlannedRequest } | { kind: "sequence"; sequence: RequestSequence };

export interface PhaseResult {
  connections: number;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latenciesMs: number[];
  /** Latencies of the interleaved request, when there was one. */
  interleavedLatenciesMs: number[];
  /** CPU of the workerd running the Worker, and of every workerd of the dev server (with wrangler's proxy). */
  cpuMs: { worker: number; all: number };
  unexpectedStatuses: Record<string, number>;
}

export interface PhaseOptions {
  url: string;
  plan: LoadPlan;
  connections: number;
  /** For repeated requests: how long to run. Sequences run `amount` requests. */
  seconds?: number;
  amount?: number;
  expectStatus: number;
  processes: { worker: number[]; all: number[] };
  /**
   * A second request sent after each planned one on the same single connection (the bare route),
   * so both are timed under the same background load: this machine is shared and its load moves.
   */
  interleave?: { request: PlannedRequest; expectStatus: number };
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}

export function summarizeLatencies(latenciesMs: number[]) {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

type AutocannonRequest = NonNullable<autocannon.Options["requests"]>[number];

function toStaticRequest({ method, path, headers, body }: PlannedRequest): AutocannonRequest {
  return { method, path, headers: headers ?? {}, ...(body === undefined ? {} : { body }) };
}

function toAutocannonRequests(plan: LoadPlan): AutocannonRequest[] {
  if (plan.kind === "repeat") return [toStaticRequest(plan.request)];
  const { sequence } = plan;
  return [
    {
      setupRequest: (request, context) => {
        const planned = sequence.next();
        (context as { planned?: PlannedRequest }).planned = planned;
        return {
          ...request,
          method: planned.method,
          path: planned.path,
          headers: planned.headers ?? {},
          body: planned.body ?? "",
        };
      },
      onResponse: (status, _body, context, headers) => {
        const planned = (context as { planned?: PlannedRequest }).planned;
        if (planned) sequence.onResponse?.(planned, status, (headers ?? {}) as Record<string, string | string[]>);
      },
    },
  ];
}

export async function runPhase(options: PhaseOptions): Promise<PhaseResult> {
  const { interleave } = options;
  if (interleave && options.connections !== 1)
    throw new Error("interleaved requests need a single connection to stay in order");
  const latenciesMs: number[] = [];
  const interleavedLatenciesMs: number[] = [];
  const unexpectedStatuses: Record<string, number> = {};
  let responses = 0;
  const readCpu = () => ({
    worker: readCpuMilliseconds(options.processes.worker),
    all: readCpuMilliseconds(options.processes.all),
  });
  const cpuBefore = readCpu();
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        pipelining: 1,
        ...(options.amount === undefined
          ? { duration: options.seconds ?? 5 }
          : { amount: options.amount * (interleave ? 2 : 1) }),
        requests: [...toAutocannonRequests(options.plan), ...(interleave ? [toStaticRequest(interleave.request)] : [])],
        timeout: 30,
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on("response", (_client, statusCode, _bytes, responseTimeMs) => {
      const isInterleaved = interleave !== undefined && responses++ % 2 === 1;
      (isInterleaved ? interleavedLatenciesMs : latenciesMs).push(responseTimeMs);
      const expected = isInterleaved ? interleave.expectStatus : options.expectStatus;
      if (statusCode !== expected) unexpectedStatuses[statusCode] = (unexpectedStatuses[statusCode] ?? 0) + 1;
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = readCpu();
  const cpuMs = { worker: cpuAfter.worker - cpuBefore.worker, all: cpuAfter.all - cpuBefore.all };
  if (result.errors > 0 || result.timeouts > 0) unexpectedStatuses.errors = result.errors + result.timeouts;
  return {
    connections: options.connections,
    requests: latenciesMs.length,
    seconds,
    requestsPerSecond: latenciesMs.length / seconds,
    latenciesMs,
    interleavedLatenciesMs,
    cpuMs,
    unexpectedStatuses,
  };
}
