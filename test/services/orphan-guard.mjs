// Leads the process group of one test service (test/services/start-service.ts starts it detached,
// so the group's id is this process's id) and makes sure the group dies with the test process that
// started it, even when that process was killed with SIGKILL and could clean nothing up.
//
//   node orphan-guard.mjs <pid of the test process> <command> [arguments...]
//
// It runs the command in its own group and watches its parent: once the parent is gone (this
// process was handed to another parent), it sends SIGTERM to the group, then SIGKILL after a grace
// period. When the command ends, whatever it left in the group is killed with it, this guard too.
import { spawn } from "node:child_process";

const [parentPidArgument, command, ...commandArguments] = process.argv.slice(2);
const parentPid = Number(parentPidArgument);
const parentPollMs = 200;
const stopGraceMs = 10_000;

if (!Number.isInteger(parentPid) || !command) {
  console.error("usage: node orphan-guard.mjs <parent pid> <command> [arguments...]");
  process.exit(2);
}

function signalGroup(signal) {
  try {
    process.kill(-process.pid, signal);
  } catch {
    // The group is already empty.
  }
}

let stopping = false;

// A stop reaches the whole group, this process included: instead of dying before the service, the
// guard gives it the grace period and then kills what is left.
function stopAfterGrace() {
  if (stopping) return;
  stopping = true;
  setTimeout(() => signalGroup("SIGKILL"), stopGraceMs);
}

for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, stopAfterGrace);

setInterval(() => {
  if (process.ppid !== parentPid) signalGroup("SIGTERM");
}, parentPollMs);

const child = spawn(command, commandArguments, { stdio: "inherit" });
child.on("error", (error) => {
  console.error(`orphan-guard: could not start ${command}: ${error.message}`);
  process.exit(127);
});
child.on("exit", () => signalGroup("SIGKILL"));
