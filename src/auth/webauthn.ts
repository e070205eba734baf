// The relying party's side of the WebAuthn ceremonies (W3C Web Authentication Level 3, §7.1
// registration and §7.2 authentication): @oslojs/webauthn parses the client data, the authenticator
// data and the attestation object; WebCrypto checks signatures. What this module cannot know, the
// domain decides (docs/PASSKEYS.md): whether the challenge was ours, unused and bound to this attempt
// (domain/passkeys/passkey-challenges.ts), which stored credential answers, and whether its
// signature counter moved forward.
import { decodePKIXECDSASignature, p256 } from "@oslojs/crypto/ecdsa";
import { RSAPublicKey } from "@oslojs/crypto/rsa";
import { decodeBase64, decodeHex, encodeBase64, encodeBase64urlNoPadding } from "@oslojs/encoding";
import {
  ClientDataType,
  COSEKeyType,
  coseAlgorithmEdDSA,
  coseAlgorithmES256,
  coseAlgorithmRS256,
  coseEllipticCurveEd25519,
  coseEllipticCurveP256,
  createAssertionSignatureMessage,
  parseAttestationObject,
  parseAuthenticatorData,
  parseClientDataJSON,
  type WebAuthnCredential,
} from "@oslojs/webauthn";

/** The algorithms we accept, in the order a browser should prefer them (COSE identifiers). */
export const supportedAlgorithms = [coseAlgorithmEdDSA, coseAlgorithmES256, coseAlgorithmRS256] as const;

/** How long a ceremony may take, for the browser's timeout and the stored challenge's life alike. */
export const ceremonyTimeoutSeconds = 5 * 60;

/** Why a ceremony was refused: recorded in the audit log, never shown beyond "not accepted". */
export type PasskeyRefusalReason =
  | "malformed"
  | "wrong_type"
  | "wrong_origin"
  | "wrong_relying_party"
  | "challenge_unknown"
  | "unknown_credential"
  | "user_not_present"
  | "user_not_verified"
  | "unsupported_algorithm"
  | "bad_signature"
  | "counter_regressed"
  | "already_registered"
  // The passkey is right but its owner may not sign in (pending, deactivated, erased).
  | "account_cannot_sign_in";

export class PasskeyRefusal extends Error {
  constructor(readonly reason: PasskeyRefusalReason) {
    super(`passkey refused: ${reason}`);
  }
}

/** The relying party: Gatehouse at APP_ORIGIN. Its id is the origin's host name (never an IP address: browsers refuse those). */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export function relyingPartyOf(appOrigin: string, appName: string): RelyingParty {
  const url = new URL(appOrigin);
  return { id: url.hostname, origin: url.origin, name: appName };
}

/**
 * §7.1 steps 5–12 / §7.2 steps 10–15: the client data says which ceremony, for which origin, with
 * which challenge. The challenge is returned for the domain to match against its stored ones.
 */
export function readClientData(clientDataJSON: Uint8Array, expected: "create" | "get", rp: RelyingParty): Uint8Array {
  let clientData: ReturnType<typeof parseClientDataJSON>;
  try {
    clientData = parseClientDataJSON(clientDataJSON);
  } catch {
    throw new PasskeyRefusal("malformed");
  }
  if (clientData.type !== (expected === "create" ? ClientDataType.Create : ClientDataType.Get)) {
    throw new PasskeyRefusal("wrong_type");
  }
  // Gatehouse is never framed (frame-ancestors 'none'), so a cross-origin ceremony is never ours.
  if (clientData.origin !== rp.origin || clientData.crossOrigin === true) throw new PasskeyRefusal("wrong_origin");
  return clientData.challenge;
}

/** A credential's public key in the form stored (base64 of the bytes WebCrypto imports) and its algorithm. */
export interface StoredPublicKey {
  publicKey: string;
  algorithm: number;
}

function importParameters(algorithm: number) {
  if (algorithm === coseAlgorithmES256) {
    return {
      format: "raw" as const,
      params: { name: "ECDSA", namedCurve: "P-256" },
      verify: { name: "ECDSA", hash: "SHA-256" },
    };
  }
  if (algorithm === coseAlgorithmRS256) {
    return {
      format: "spki" as const,
      params: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      verify: { name: "RSASSA-PKCS1-v1_5" },
    };
  }
  if (algorithm === coseAlgorithmEdDSA) {
    return { format: "raw" as const, params: { name: "Ed25519" }, verify: { name: "Ed25519" } };
  }
  throw new PasskeyRefusal("unsupported_algorithm");
}

/**
 * SEC1 uncompressed point, 0x04 ‖ x ‖ y, each coordinate padded to 32 bytes. @oslojs/crypto's
 * encodeSEC1Uncompressed pads x but not y, so a key whose y starts with a zero byte (1 in 256)
 * would encode one byte short and never import.
 */
export function encodeP256PointUncompressed(x: bigint, y: bigint): Uint8Array {
  const coordinate = (value: bigint) => decodeHex(value.toString(16).padStart(64, "0"));
  const bytes = new Uint8Array(65);
  bytes[0] = 0x04;
  bytes.set(coordinate(x), 1);
  bytes.set(coordinate(y), 33);
  return bytes;
}

/** The COSE key from the attestation, as the bytes WebCrypto imports (SEC1, SPKI or raw). */
function encodePublicKey(credential: WebAuthnCredential): StoredPublicKey {
  const key = credential.publicKey;
  try {
    const algorithm = key.algorithm();
    if (algorithm === coseAlgorithmES256 && key.type() === COSEKeyType.EC2) {
      const ec2 = key.ec2();
      if (ec2.curve !== coseEllipticCurveP256) throw new PasskeyRefusal("unsupported_algorithm");
      return { algorithm, publicKey: encodeBase64(encodeP256PointUncompressed(ec2.x, ec2.y)) };
    }
    if (algorithm === coseAlgorithmRS256 && key.type() === COSEKeyType.RSA) {
      const rsa = key.rsa();
      return { algorithm, publicKey: encodeBase64(new RSAPublicKey(rsa.n, rsa.e).encodePKIX()) };
    }
    if (algorithm === coseAlgorithmEdDSA && key.type() === COSEKeyType.OKP) {
      const okp = key.okp();
      if (okp.curve !== coseEllipticCurveEd25519) throw new PasskeyRefusal("unsupported_algorithm");
      return { algorithm, publicKey: encodeBase64(okp.x) };
    }
  } catch (error) {
    if (error instanceof PasskeyRefusal) throw error;
    throw new PasskeyRefusal("malformed");
  }
  throw new PasskeyRefusal("unsupported_algorithm");
}

async function importPublicKey(stored: StoredPublicKey): Promise<{ key: CryptoKey; verify: { name: string } }> {
  const { format, params, verify } = importParameters(stored.algorithm);
  try {
    const key = await crypto.subtle.importKey(format, decodeBase64(stored.publicKey), params, false, ["verify"]);
    return { key, verify };
  } catch {
    // Not a point on the curve, not a valid SPKI: nothing could ever verify against it.
    throw new PasskeyRefusal("malformed");
  }
}

export interface VerifiedRegistration extends StoredPublicKey {
  credentialId: string;
  signCount: number;
  aaguid: string;
  userVerified: boolean;
}

/**
 * §7.1 steps 13–27 for an attestation object whose client data was already read: the RP id hash,
 * user presence, the credential and its key. Attestation statements are not verified: Gatehouse
 * asks for `none` and trusts no authenticator model (docs/PASSKEYS.md "Attestation").
 */
export async function verifyRegistration(
  attestationObject: Uint8Array,
  rp: RelyingParty,
): Promise<VerifiedRegistration> {
  let authenticatorData: ReturnType<typeof parseAttestationObject>["authenticatorData"];
  try {
    authenticatorData = parseAttestationObject(attestationObject).authenticatorData;
  } catch {
    throw new PasskeyRefusal("malformed");
  }
  if (!authenticatorData.verifyRelyingPartyIdHash(rp.id)) throw new PasskeyRefusal("wrong_relying_party");
  if (!authenticatorData.userPresent) throw new PasskeyRefusal("user_not_present");
  const credential = authenticatorData.credential;
  if (!credential || credential.id.length === 0 || credential.id.length > 1023) throw new PasskeyRefusal("malformed");
  const stored = encodePublicKey(credential);
  await importPublicKey(stored);
  return {
    ...stored,
    credentialId: encodeBase64urlNoPadding(credential.id),
    signCount: authenticatorData.signatureCounter,
    aaguid: encodeBase64urlNoPadding(credential.authenticatorAAGUID),
    userVerified: authenticatorData.userVerified,
  };
}

export interface VerifiedAssertion {
  signCount: number;
  userVerified: boolean;
}

/** §7.2 steps 15–21 for an assertion whose client data was already read and matched to a stored credential. */
export async function verifyAssertion(
  response: { authenticatorData: Uint8Array; clientDataJSON: Uint8Array; signature: Uint8Array },
  stored: StoredPublicKey,
  rp: RelyingParty,
  options: { requireUserVerification: boolean },
): Promise<VerifiedAssertion> {
  let authenticatorData: ReturnType<typeof parseAuthenticatorData>;
  try {
    authenticatorData = parseAuthenticatorData(response.authenticatorData);
  } catch {
    throw new PasskeyRefusal("malformed");
  }
  if (!authenticatorData.verifyRelyingPartyIdHash(rp.id)) throw new PasskeyRefusal("wrong_relying_party");
  if (!authenticatorData.userPresent) throw new PasskeyRefusal("user_not_present");
  if (options.requireUserVerification && !authenticatorData.userVerified) throw new PasskeyRefusal("user_not_verified");
  const { key, verify } = await importPublicKey(stored);
  let signature = response.signature;
  if (stored.algorithm === coseAlgorithmES256) {
    // Authenticators sign ECDSA in DER; WebCrypto verifies the fixed-width r‖s form.
    try {
      signature = decodePKIXECDSASignature(signature).encodeIEEEP1363(p256);
    } catch {
      throw new PasskeyRefusal("bad_signature");
    }
  }
  const message = createAssertionSignatureMessage(response.authenticatorData, response.clientDataJSON);
  if (!(await crypto.subtle.verify(verify, key, signature, message))) throw new PasskeyRefusal("bad_signature");
  return { signCount: authenticatorData.signatureCounter, userVerified: authenticatorData.userVerified };
}

/**
 * §7.2 step 21: a counter that does not move forward means two copies of one authenticator (a clone).
 * Synced passkeys report 0 every time; 0 after 0 is normal.
 */
export function isSignCountAcceptable(storedCount: number, presentedCount: number): boolean {
  if (storedCount === 0 && presentedCount === 0) return true;
  return presentedCount > storedCount;
}
