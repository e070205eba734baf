// Setup links (docs/SECURITY.md "Setup links"): only the token's SHA-256 is kept, on the user row
// and in KV. The row decides; KV can only reject early (malformed, or expired by the injected
// clock), and a KV miss falls back to the row.
import { describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/crypto";
import { readSetupTokenHint, setupTokenKvKey } from "../../src/auth/setup-tokens";
import { findSetupState } from "../../src/domain/invites/setup";
import { regenerateSetupLink } from "../../src/domain/invites/setup-links";
import { TestClock } from "../helpers/clock";
import { inviteTestUser, testContext } from "../helpers/factories";
import { env, rawDb } from "../helpers/store";

function findState(clock: TestClock, token: string) {
  return findSetupState(testContext(clock), token);
}

describe("setup tokens", () => {
  it("keeps only the token's SHA-256, on the user row and in KV", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const hash = hashToken(invited.token);

    const row = await rawDb
      .prepare("SELECT * FROM users WHERE id = ?")
      .bind(invited.user.id)
      .first<Record<string, unknown>>();
    const stored = await env.KV.get(setupTokenKvKey(hash));

    expect(row).toMatchObject({ setup_token_hash: hash, setup_token_expires_at: invited.setupLinkExpiresAt.getTime() });
    expect(JSON.parse(String(stored))).toEqual({
      userId: invited.user.id,
      purpose: "invite",
      expiresAt: invited.setupLinkExpiresAt.getTime(),
    });
    expect(JSON.stringify(row)).not.toContain(invited.token);
    expect(stored).not.toContain(invited.token);
  });

  it("refuses malformed tokens without reading anything", async () => {
    const clock = new TestClock();
    for (const token of [undefined, "", "short", "A".repeat(42), "A".repeat(44), `${"A".repeat(42)}=`]) {
      expect(await readSetupTokenHint(env.KV, token, clock.now()), String(token)).toEqual({ kind: "rejected" });
      expect(await findState(clock, token ?? "")).toBeNull();
    }
  });

  it("lets the database decide when KV does not know the token (not replicated yet, or evicted)", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    await env.KV.delete(setupTokenKvKey(hashToken(invited.token)));

    expect(await readSetupTokenHint(env.KV, invited.token, clock.now())).toEqual({
      kind: "unknown",
      hash: hashToken(invited.token),
    });
    expect((await findState(clock, invited.token))?.user.id).toBe(invited.user.id);
    clock.set(invited.setupLinkExpiresAt);
    expect(await findState(clock, invited.token), "expired by the row").toBeNull();
  });

  it("never lets KV accept a token the database no longer holds", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    await regenerateSetupLink(testContext(clock), invited.user.id);
    // A stale KV copy of the old link, as another location might still serve it.
    await env.KV.put(
      setupTokenKvKey(hashToken(invited.token)),
      JSON.stringify({ userId: invited.user.id, purpose: "invite", expiresAt: invited.setupLinkExpiresAt.getTime() }),
    );

    expect(await readSetupTokenHint(env.KV, invited.token, clock.now())).toMatchObject({
      kind: "known",
      userId: invited.user.id,
    });
    expect(await findState(clock, invited.token)).toBeNull();
  });

  it("rejects early a token whose KV copy says it expired by the injected clock, whatever the row says", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    await env.KV.put(
      setupTokenKvKey(hashToken(invited.token)),
      JSON.stringify({ userId: invited.user.id, purpose: "invite", expiresAt: clock.now().getTime() }),
    );

    expect(await readSetupTokenHint(env.KV, invited.token, clock.now())).toEqual({ kind: "rejected" });
    expect(await findState(clock, invited.token)).toBeNull();
  });
});
