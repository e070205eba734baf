// WebAuthn challenges (docs/PASSKEYS.md "Challenges"): 32 random bytes, stored as their SHA-256 for
// five minutes, bound to the attempt that asked for them (the hash of its cookie or session) and
// deleted by the one request that answers them, accepted or not. A replayed assertion names a
// challenge that is gone, and one answered from another browser names the wrong binding.

import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase64urlNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { and, eq, gt, lte } from "drizzle-orm";
import { generateRandomBytes } from "../../auth/crypto";
import { ceremonyTimeoutSeconds, PasskeyRefusal } from "../../auth/webauthn";
import { runBatch } from "../../db/batch";
import { type PasskeyChallengePurpose, passkeyChallenges } from "../../db/schema";
import type { DomainContext } from "../context";

export interface ChallengeRequest {
  purpose: PasskeyChallengePurpose;
  /** The user the ceremony is for; null for "Sign in with a passkey", where the passkey names the user. */
  userId: string | null;
  /** The hash of what ties the ceremony to this attempt (a cookie's token, a session id, a setup link). */
  bindingHash: string;
}

/** Stores a new challenge (and sweeps expired ones); returns it base64url for the browser's options. */
export async function issuePasskeyChallenge(ctx: DomainContext, request: ChallengeRequest): Promise<string> {
  const challenge = generateRandomBytes(32);
  await runBatch(ctx.db, [
    ctx.db.delete(passkeyChallenges).where(lte(passkeyChallenges.expiresAt, ctx.now)),
    ctx.db.insert(passkeyChallenges).values({
      id: encodeHexLowerCase(sha256(challenge)),
      purpose: request.purpose,
      userId: request.userId,
      bindingHash: request.bindingHash,
      createdAt: ctx.now,
      expiresAt: new Date(ctx.now.getTime() + ceremonyTimeoutSeconds * 1000),
    }),
  ]);
  return encodeBase64urlNoPadding(challenge);
}

/**
 * Deletes the challenge the client data names, if it is live, of this purpose and bound to this
 * attempt; returns its user. One statement: of two requests answering the same challenge, one wins.
 */
export async function consumePasskeyChallenge(
  ctx: DomainContext,
  challenge: Uint8Array,
  expected: { purpose: PasskeyChallengePurpose; bindingHash: string },
): Promise<{ userId: string | null }> {
  const [row] = await ctx.db
    .delete(passkeyChallenges)
    .where(
      and(
        eq(passkeyChallenges.id, encodeHexLowerCase(sha256(challenge))),
        eq(passkeyChallenges.purpose, expected.purpose),
        eq(passkeyChallenges.bindingHash, expected.bindingHash),
        gt(passkeyChallenges.expiresAt, ctx.now),
      ),
    )
    .returning({ userId: passkeyChallenges.userId });
  if (!row) throw new PasskeyRefusal("challenge_unknown");
  return row;
}
