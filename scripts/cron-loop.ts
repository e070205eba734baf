// The local cron: `wrangler dev` never runs a Worker's cron triggers by itself, so
// scripts/gatehouse.sh start runs this loop beside it. It fires wrangler dev's
// /cdn-cgi/handler/scheduled endpoint on the schedule of the wrangler config (`[triggers] crons`,
// in UTC, minute by minute as Cloudflare does), so an invite made under `npm start` is delivered
// within one period with nothing fired by hand. Firing by hand (curl) still works beside it.
//
//   node --import tsx scripts/cron-loop.ts --url http://127.0.0.1:8787 [--config wrangler.toml] [--parent <pid>]
//
// GATEHOUSE_CRON_INTERVAL_SECONDS overrides the schedule: a whole number of seconds fires every
// that many seconds instead; 0 (or "off") fires nothing, for whoever fires the handler itself (the
// browser suite, whose clock only moves when a test moves it: test/e2e/global-setup.ts).
// --parent is the pid of the process that started the loop: the loop ends when that process is
// gone, even when it was killed outright and could not stop the loop itself.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const parentPollMs = 1_000;
const requestTimeoutMs = 60_000;

/** The cron expressions of a wrangler.toml's `[triggers] crons = [...]` (empty when it has none). */
export function readCronSchedules(toml: string): string[] {
  const withoutComments = toml
    .split("\n")
    .map((line) => line.replace(/^\s*#.*$/, ""))
    .join("\n");
  const list = /^\s*crons\s*=\s*\[([^\]]*)\]/m.exec(withoutComments);
  if (!list?.[1]) return [];
  return [...list[1].matchAll(/"([^"]*)"|'([^']*)'/g)].map((match) => (match[1] ?? match[2] ?? "").trim());
}

interface FieldRange {
  min: number;
  max: number;
}

const fieldRanges: FieldRange[] = [
  { min: 0, max: 59 }, // minute
  { min: 0, max: 23 }, // hour
  { min: 1, max: 31 }, // day of month
  { min: 1, max: 12 }, // month
  { min: 0, max: 7 }, // day of week (0 and 7 are Sunday)
];

interface CronField {
  values: Set<number>;
  /** `*` (or `*\/n` over the whole range): matters for the day-of-month / day-of-week rule. */
  unrestricted: boolean;
}

function parseField(text: string, range: FieldRange, expression: string): CronField {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw new Error(`cron "${expression}": cannot read "${part}" (numbers, *, a-b, /n and lists only)`);
    const step = match[4] ? Number(match[4]) : 1;
    const from = match[1] === "*" ? range.min : Number(match[2]);
    const to = match[1] === "*" ? range.max : match[3] ? Number(match[3]) : match[4] ? range.max : from;
    if (step < 1 || from < range.min || to > range.max || from > to) {
      throw new Error(`cron "${expression}": "${part}" is outside ${range.min}-${range.max}`);
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return { values, unrestricted: text === "*" || text.startsWith("*/") };
}

export interface CronSchedule {
  expression: string;
  matches: (time: Date) => boolean;
}

/** A five-field cron expression, matched in UTC like Cloudflare's cron triggers. */
export function parseCronExpression(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron "${expression}": five fields expected`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.map((field, index) =>
    parseField(field, fieldRanges[index] as FieldRange, expression),
  ) as [CronField, CronField, CronField, CronField, CronField];
  if (dayOfWeek.values.has(7)) dayOfWeek.values.add(0);
  return {
    expression,
    matches(time) {
      if (!minute.values.has(time.getUTCMinutes()) || !hour.values.has(time.getUTCHours())) return false;
      if (!month.values.has(time.getUTCMonth() + 1)) return false;
      const domMatches = dayOfMonth.values.has(time.getUTCDate());
      const dowMatches = dayOfWeek.values.has(time.getUTCDay());
      // Classic cron: with both day fields restricted, either one is enough.
      if (!dayOfMonth.unrestricted && !dayOfWeek.unrestricted) return domMatches || dowMatches;
      return domMatches && dowMatches;
    },
  };
}

/** The first whole minute after `after` at which some schedule is due, and which ones are (a year ahead at most). */
export function findNextRun(schedules: CronSchedule[], after: Date): { at: Date; due: CronSchedule[] } | null {
  const minuteMs = 60_000;
  let at = Math.floor(after.getTime() / minuteMs) * minuteMs + minuteMs;
  for (let step = 0; step < 366 * 24 * 60; step += 1, at += minuteMs) {
    const time = new Date(at);
    const due = schedules.filter((schedule) => schedule.matches(time));
    if (due.length > 0) return { at: time, due };
  }
  return null;
}

export type LoopPlan =
  | { kind: "schedule"; schedules: CronSchedule[] }
  | { kind: "interval"; seconds: number; cron: string }
  | { kind: "off"; reason: string };

/** What the loop does, from GATEHOUSE_CRON_INTERVAL_SECONDS and the config's cron expressions. */
export function planLoop(intervalSetting: string | undefined, crons: string[]): LoopPlan {
  const setting = intervalSetting?.trim() ?? "";
  if (setting === "0" || setting.toLowerCase() === "off") {
    return { kind: "off", reason: "GATEHOUSE_CRON_INTERVAL_SECONDS is off" };
  }
  if (setting !== "") {
    if (!/^\d+$/.test(setting)) {
      throw new Error(`GATEHOUSE_CRON_INTERVAL_SECONDS must be a whole number of seconds or "off", not "${setting}"`);
    }
    return { kind: "interval", seconds: Number(setting), cron: crons[0] ?? "* * * * *" };
  }
  if (crons.length === 0) return { kind: "off", reason: "the wrangler config has no [triggers] crons" };
  return { kind: "schedule", schedules: crons.map(parseCronExpression) };
}

/** Fires one run of the scheduled handler; says what went wrong instead of throwing. */
export async function fireScheduled(baseUrl: string, cron: string, scheduledTime?: Date): Promise<string | null> {
  const url = new URL("/cdn-cgi/handler/scheduled", baseUrl);
  url.searchParams.set("cron", cron);
  if (scheduledTime) url.searchParams.set("time", String(scheduledTime.getTime()));
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(requestTimeoutMs) });
    await response.arrayBuffer();
    return response.ok ? null : `answered ${response.status}`;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return cause instanceof Error ? cause.message : String(cause);
  }
}

function readArguments(argv: string[]): { url: string; config: string; parent: number | null } {
  const options = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 2) {
    const name = argv[index] ?? "";
    const value = argv[index + 1];
    if (!name.startsWith("--") || value === undefined) throw new Error(`cron loop: unexpected argument ${name}`);
    options.set(name.slice(2), value);
  }
  const url = options.get("url");
  if (!url) throw new Error("usage: cron-loop.ts --url <wrangler dev URL> [--config <wrangler.toml>] [--parent <pid>]");
  const parent = options.get("parent");
  return { url, config: options.get("config") ?? "wrangler.toml", parent: parent ? Number(parent) : null };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; only ESRCH means it is gone.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function say(line: string): void {
  process.stderr.write(`gatehouse cron: ${line}\n`);
}

async function fireAndReport(url: string, cron: string, scheduledTime?: Date): Promise<void> {
  const problem = await fireScheduled(url, cron, scheduledTime);
  if (problem) say(`the scheduled run (${cron}) did not start: ${problem}`);
}

function runOnSchedule(url: string, schedules: CronSchedule[]): void {
  const next = findNextRun(schedules, new Date());
  if (!next) {
    say("no run is due within a year; nothing to do");
    return;
  }
  setTimeout(
    async () => {
      for (const schedule of next.due) await fireAndReport(url, schedule.expression, next.at);
      runOnSchedule(url, schedules);
    },
    Math.max(0, next.at.getTime() - Date.now()),
  );
}

function runEvery(url: string, seconds: number, cron: string): void {
  let running = false;
  setInterval(async () => {
    // A slow run is not stacked under the next one.
    if (running) return;
    running = true;
    await fireAndReport(url, cron);
    running = false;
  }, seconds * 1000);
}

function main(): void {
  const { url, config, parent } = readArguments(process.argv.slice(2));
  const plan = planLoop(process.env.GATEHOUSE_CRON_INTERVAL_SECONDS, readCronSchedules(readFileSync(config, "utf8")));
  if (plan.kind === "off") {
    say(`not running (${plan.reason}); fire a run with: curl '${url}/cdn-cgi/handler/scheduled'`);
    return;
  }
  if (parent !== null) {
    setInterval(() => {
      if (!isAlive(parent)) process.exit(0);
    }, parentPollMs);
  }
  if (plan.kind === "interval") {
    say(`firing the scheduled jobs every ${plan.seconds} s (GATEHOUSE_CRON_INTERVAL_SECONDS)`);
    runEvery(url, plan.seconds, plan.cron);
  } else {
    const crons = plan.schedules.map((schedule) => schedule.expression).join(", ");
    say(`firing the scheduled jobs on the schedule of ${config} (${crons}, UTC)`);
    runOnSchedule(url, plan.schedules);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
}
