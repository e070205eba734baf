// Sign-in throttling (docs/SECURITY.md "Throttling"): per account, 10 consecutive failures lock it
// for 15 minutes; per client address, 100 failures within a 15-minute window block it. The
// counters are single conditional upserts, so concurrent failures are all counted.
import { describe, expect, it } from "vitest";
import {
  accountThrottleKey,
  addressThrottleKey,
  clearThrottle,
  findThrottleDelaySeconds,
  recordAccountFailure,
  recordAddressFailure,
  selectThrottles,
} from "../../src/auth/throttle";
import { runBatch } from "../../src/db/batch";
import type { Db } from "../../src/db/client";
import { TestClock } from "../helpers/clock";
import { testContext, uniqueAddress, uniqueEmail } from "../helpers/factories";

function storeOf(clock: TestClock): Db {
  return testContext(clock).db;
}

async function delaySeconds(clock: TestClock, key: string): Promise<number> {
  return findThrottleDelaySeconds(await selectThrottles(storeOf(clock), [key]), clock.now());
}

async function readThrottle(clock: TestClock, key: string) {
  const [row] = await selectThrottles(storeOf(clock), [key]);
  return row ? { failures: row.failures, lockedUntil: row.lockedUntil?.getTime() ?? null } : null;
}

async function failAccount(clock: TestClock, key: string, times: number): Promise<void> {
  for (let attempt = 0; attempt < times; attempt++) await recordAccountFailure(storeOf(clock), key, clock.now());
}

describe("account throttle", () => {
  it("locks an account at the tenth failure for 15 minutes, and not before", async () => {
    const clock = new TestClock();
    const key = accountThrottleKey(uniqueEmail());

    await failAccount(clock, key, 9);
    expect(await delaySeconds(clock, key)).toBe(0);
    await failAccount(clock, key, 1);

    expect(await readThrottle(clock, key)).toEqual({ failures: 10, lockedUntil: clock.now().getTime() + 900_000 });
    expect(await delaySeconds(clock, key)).toBe(900);
    clock.advanceSeconds(899);
    expect(await delaySeconds(clock, key)).toBe(1);
    clock.advanceSeconds(1);
    expect(await delaySeconds(clock, key)).toBe(0);
  });

  it("starts a new count after a lock has passed, and forgets everything when cleared", async () => {
    const clock = new TestClock();
    const key = accountThrottleKey(uniqueEmail());
    await failAccount(clock, key, 10);
    clock.advanceSeconds(900);

    await failAccount(clock, key, 1);

    expect(await readThrottle(clock, key)).toEqual({ failures: 1, lockedUntil: null });
    await clearThrottle(storeOf(clock), key);
    expect(await readThrottle(clock, key)).toBeNull();
  });

  it("counts every one of ten failures that arrive at the same moment", async () => {
    const clock = new TestClock();
    const key = accountThrottleKey(uniqueEmail());

    await Promise.all(Array.from({ length: 10 }, () => recordAccountFailure(storeOf(clock), key, clock.now())));

    expect(await readThrottle(clock, key)).toEqual({ failures: 10, lockedUntil: clock.now().getTime() + 900_000 });
  });
});

describe("address throttle", () => {
  it("blocks a client address at its hundredth failure within 15 minutes, and only that address", async () => {
    const clock = new TestClock();
    const [key, other] = [addressThrottleKey(uniqueAddress()), addressThrottleKey(uniqueAddress())];
    const db = storeOf(clock);
    const started = clock.now().getTime();
    await runBatch(
      db,
      Array.from({ length: 99 }, () => recordAddressFailure(db, key, clock.now())),
    );
    clock.advanceSeconds(600);
    expect(await delaySeconds(clock, key)).toBe(0);

    await recordAddressFailure(storeOf(clock), key, clock.now());
    await recordAddressFailure(storeOf(clock), other, clock.now());

    // The block lasts until the window that counted the failures ends.
    expect(await readThrottle(clock, key)).toEqual({ failures: 100, lockedUntil: started + 900_000 });
    expect(await delaySeconds(clock, key)).toBe(300);
    expect(await readThrottle(clock, other)).toEqual({ failures: 1, lockedUntil: null });
  });

  it("counts failures older than the window no more: a failure after it starts a new window", async () => {
    const clock = new TestClock();
    const key = addressThrottleKey(uniqueAddress());
    const db = storeOf(clock);
    await runBatch(
      db,
      Array.from({ length: 99 }, () => recordAddressFailure(db, key, clock.now())),
    );
    clock.advanceSeconds(900);

    await recordAddressFailure(storeOf(clock), key, clock.now());

    expect(await readThrottle(clock, key)).toEqual({ failures: 1, lockedUntil: null });
  });
});
