// The two ceremonies as Gatehouse runs them (docs/PASSKEYS.md): the options a browser gets, and the
// checks of what it sends back. Registration: client data, our challenge, then the attestation.
// Assertion: client data, our challenge, the stored credential (and its owner), the signature, and
// a counter that moves forward. Every refusal names its reason for the audit log; the person sees
// only "not accepted".
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import {
  ceremonyTimeoutSeconds,
  isSignCountAcceptable,
  PasskeyRefusal,
  type PasskeyRefusalReason,
  type RelyingParty,
  readClientData,
  relyingPartyOf,
  supportedAlgorithms,
  type VerifiedRegistration,
  verifyAssertion,
  verifyRegistration,
} from "../../auth/webauthn";
import type { Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow } from "../../db/guards";
import { type PasskeyChallengePurpose, passkeys, users } from "../../db/schema";
import type { DomainContext } from "../context";
import type { UserRow } from "../users/users";
import { consumePasskeyChallenge } from "./passkey-challenges";
import { readAssertionResponse, readRegistrationResponse } from "./passkey-responses";

export type PasskeyRow = typeof passkeys.$inferSelect;

export function relyingPartyFor(ctx: DomainContext): RelyingParty {
  return relyingPartyOf(ctx.config.APP_ORIGIN, ctx.config.APP_NAME);
}

/** The WebAuthn user handle: the user's id (random, no personal data), as bytes. */
export function userHandleOf(userId: string): string {
  return encodeBase64urlNoPadding(new TextEncoder().encode(userId));
}

function descriptorsOf(rows: ReadonlyArray<Pick<PasskeyRow, "credentialId" | "transports">>) {
  return rows.map((row) => ({
    type: "public-key" as const,
    id: row.credentialId,
    ...(row.transports ? { transports: JSON.parse(row.transports) as string[] } : {}),
  }));
}

/**
 * PublicKeyCredentialCreationOptions as JSON (§5.4). A discoverable credential (a passkey, usable
 * without typing an email); user verification preferred; no attestation; the user's existing
 * passkeys excluded so one authenticator is not registered twice.
 */
export function buildCreationOptions(
  ctx: DomainContext,
  user: Pick<UserRow, "id" | "email" | "displayName">,
  challenge: string,
  existing: ReadonlyArray<Pick<PasskeyRow, "credentialId" | "transports">>,
) {
  const rp = relyingPartyFor(ctx);
  return {
    rp: { id: rp.id, name: rp.name },
    user: { id: userHandleOf(user.id), name: user.email, displayName: user.displayName },
    challenge,
    pubKeyCredParams: supportedAlgorithms.map((alg) => ({ type: "public-key" as const, alg })),
    timeout: ceremonyTimeoutSeconds * 1000,
    excludeCredentials: descriptorsOf(existing),
    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "preferred" },
    attestation: "none",
  };
}

/**
 * PublicKeyCredentialRequestOptions as JSON (§5.5). `allow` empty: any of the user's passkeys the
 * authenticator can discover ("Sign in with a passkey").
 */
export function buildRequestOptions(
  ctx: DomainContext,
  challenge: string,
  allow: ReadonlyArray<Pick<PasskeyRow, "credentialId" | "transports">>,
  userVerification: "required" | "preferred",
) {
  return {
    challenge,
    rpId: relyingPartyFor(ctx).id,
    timeout: ceremonyTimeoutSeconds * 1000,
    allowCredentials: descriptorsOf(allow),
    userVerification,
  };
}

/** A refused ceremony, with whatever it could tell about whose it was (for the audit and the throttle). */
export class PasskeyCheckFailed extends Error {
  constructor(
    readonly reason: PasskeyRefusalReason,
    readonly user: UserRow | null,
    readonly passkey: PasskeyRow | null,
  ) {
    super(`passkey refused: ${reason}`);
  }
}

function refusalReasonOf(error: unknown): PasskeyRefusalReason {
  if (error instanceof PasskeyRefusal) return error.reason;
  throw error;
}

export interface CheckedRegistration extends VerifiedRegistration {
  userId: string | null;
  transports: string[];
}

/** Registration: the credential JSON the browser posted, against a challenge of this purpose and binding. */
export async function checkRegistration(
  ctx: DomainContext,
  credential: string,
  expected: { purpose: PasskeyChallengePurpose; bindingHash: string },
): Promise<CheckedRegistration> {
  try {
    const response = readRegistrationResponse(credential);
    const rp = relyingPartyFor(ctx);
    const challenge = readClientData(response.clientDataJSON, "create", rp);
    const { userId } = await consumePasskeyChallenge(ctx, challenge, expected);
    const verified = await verifyRegistration(response.attestationObject, rp);
    return { ...verified, userId, transports: response.transports };
  } catch (error) {
    throw new PasskeyCheckFailed(refusalReasonOf(error), null, null);
  }
}

/** The row a registration becomes. `pendingSetupTokenHash`: added during setup, not usable until it finishes. */
export function insertPasskey(
  ctx: DomainContext,
  values: {
    id: string;
    userId: string;
    name: string;
    registration: CheckedRegistration;
    pendingSetupTokenHash?: string;
  },
) {
  const { registration } = values;
  return ctx.db.insert(passkeys).values({
    id: values.id,
    userId: values.userId,
    credentialId: registration.credentialId,
    publicKey: registration.publicKey,
    algorithm: registration.algorithm,
    signCount: registration.signCount,
    name: values.name,
    aaguid: registration.aaguid,
    transports: registration.transports.length > 0 ? JSON.stringify(registration.transports) : null,
    pendingSetupTokenHash: values.pendingSetupTokenHash ?? null,
    createdAt: ctx.now,
  });
}

export interface CheckedAssertion {
  user: UserRow;
  passkey: PasskeyRow;
  userVerified: boolean;
  /** Records the new counter and the use; must run in the batch that acts on the assertion. */
  claimStatements: Statement[];
}

/**
 * Assertion: the credential JSON the browser posted, against a challenge of this purpose and binding.
 * When the challenge was issued for a user, only that user's passkeys answer it.
 */
export async function checkAssertion(
  ctx: DomainContext,
  credential: string,
  expected: { purpose: PasskeyChallengePurpose; bindingHash: string; requireUserVerification: boolean },
): Promise<CheckedAssertion> {
  let user: UserRow | null = null;
  let passkey: PasskeyRow | null = null;
  try {
    const response = readAssertionResponse(credential);
    const rp = relyingPartyFor(ctx);
    const challenge = readClientData(response.clientDataJSON, "get", rp);
    const { userId } = await consumePasskeyChallenge(ctx, challenge, expected);
    const [row] = await ctx.db
      .select({ passkey: passkeys, user: users })
      .from(passkeys)
      .innerJoin(users, eq(users.id, passkeys.userId))
      .where(and(eq(passkeys.credentialId, response.credentialId), isNull(passkeys.pendingSetupTokenHash)))
      .limit(1);
    if (!row) throw new PasskeyRefusal("unknown_credential");
    const owned = (userId === null || row.user.id === userId) && (response.userHandle ?? row.user.id) === row.user.id;
    if (!owned) throw new PasskeyRefusal("unknown_credential");
    user = row.user;
    passkey = row.passkey;
    const verified = await verifyAssertion(response, passkey, rp, {
      requireUserVerification: expected.requireUserVerification,
    });
    if (!isSignCountAcceptable(passkey.signCount, verified.signCount)) throw new PasskeyRefusal("counter_regressed");
    return {
      user,
      passkey,
      userVerified: verified.userVerified,
      claimStatements: [
        ctx.db
          .update(passkeys)
          .set({ signCount: verified.signCount, lastUsedAt: ctx.now })
          .where(
            and(
              eq(passkeys.id, passkey.id),
              or(
                lt(passkeys.signCount, verified.signCount),
                and(eq(passkeys.signCount, 0), sql`${verified.signCount} = 0`),
              ),
            ),
          ),
        assertPreviousWriteChangedOneRow(ctx.db),
      ],
    };
  } catch (error) {
    throw new PasskeyCheckFailed(refusalReasonOf(error), user, passkey);
  }
}
