// A software authenticator for HTTP tests: it answers the options Gatehouse sends exactly as a
// browser with a platform authenticator would (WebAuthn Level 3 §6.3 authenticatorMakeCredential and
// §6.3.3 authenticatorGetAssertion, "none" attestation, ES256), and can be told to misbehave: another
// origin or RP id, no user verification, a counter that goes backwards, a replayed answer. The
// browser suite uses Chromium's own virtual authenticator instead (test/e2e/passkeys.e2e.ts).
import { bigIntFromBytes, concatenateBytes } from "@oslojs/binary";
import { ECDSASignature } from "@oslojs/crypto/ecdsa";
import { sha256 } from "@oslojs/crypto/sha2";
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { origin as testOrigin } from "./agent";

type CborValue = number | string | Uint8Array | Map<CborValue, CborValue> | Record<string, never>;

/** Just enough CBOR (RFC 8949) to write an attestation object and a COSE key. */
function encodeCbor(value: CborValue): Uint8Array {
  const head = (major: number, length: number): Uint8Array => {
    if (length < 24) return Uint8Array.of((major << 5) | length);
    if (length < 256) return Uint8Array.of((major << 5) | 24, length);
    return Uint8Array.of((major << 5) | 25, length >> 8, length & 0xff);
  };
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value);
    return concatenateBytes(head(3, bytes.length), bytes);
  }
  if (value instanceof Uint8Array) return concatenateBytes(head(2, value.length), value);
  const entries = value instanceof Map ? [...value.entries()] : [];
  return entries.reduce<Uint8Array>(
    (bytes, [key, item]) => concatenateBytes(concatenateBytes(bytes, encodeCbor(key)), encodeCbor(item)),
    head(5, entries.length),
  );
}

const flagUserPresent = 0x01;
const flagUserVerified = 0x04;
const flagAttestedCredential = 0x40;

function authenticatorData(rpId: string, flags: number, signCount: number, attested?: Uint8Array): Uint8Array {
  const counter = new Uint8Array(4);
  new DataView(counter.buffer).setUint32(0, signCount);
  const head = concatenateBytes(
    concatenateBytes(sha256(new TextEncoder().encode(rpId)), Uint8Array.of(flags)),
    counter,
  );
  return attested ? concatenateBytes(head, attested) : head;
}

function clientData(type: "webauthn.create" | "webauthn.get", challenge: string, origin: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

export interface StoredCredential {
  id: Uint8Array;
  keyPair: CryptoKeyPair;
  rpId: string;
  userHandle: string;
  signCount: number;
}

export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  userVerified?: boolean;
  /** The counter to report (the authenticator otherwise adds one per use; 0 stays 0 when `syncedCounter`). */
  signCount?: number;
}

export class SoftwareAuthenticator {
  readonly credentials: StoredCredential[] = [];

  /** `syncedCounter`: always report 0, as synced passkeys (iCloud, Google) do. */
  constructor(private readonly options: { syncedCounter?: boolean } = {}) {}

  /** Answers PublicKeyCredentialCreationOptions JSON with the credential JSON a browser would post. */
  async register(
    optionsJson: { challenge: string; rp: { id: string }; user: { id: string } },
    overrides: CeremonyOverrides = {},
  ): Promise<string> {
    const rpId = overrides.rpId ?? optionsJson.rp.id;
    const keyPair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const raw = new Uint8Array((await crypto.subtle.exportKey("raw", keyPair.publicKey)) as ArrayBuffer);
    const coseKey = encodeCbor(
      new Map<CborValue, CborValue>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, raw.slice(1, 33)],
        [-3, raw.slice(33, 65)],
      ]),
    );
    const id = crypto.getRandomValues(new Uint8Array(32));
    const signCount = this.options.syncedCounter ? 0 : (overrides.signCount ?? 0);
    this.credentials.push({ id, keyPair, rpId, userHandle: optionsJson.user.id, signCount });
    const idLength = Uint8Array.of(id.length >> 8, id.length & 0xff);
    const attested = concatenateBytes(concatenateBytes(concatenateBytes(new Uint8Array(16), idLength), id), coseKey);
    const flags = flagUserPresent | flagAttestedCredential | (overrides.userVerified === false ? 0 : flagUserVerified);
    const attestationObject = encodeCbor(
      new Map<CborValue, CborValue>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authenticatorData(rpId, flags, signCount, attested)],
      ]),
    );
    const encodedId = encodeBase64urlNoPadding(id);
    return JSON.stringify({
      id: encodedId,
      rawId: encodedId,
      type: "public-key",
      response: {
        clientDataJSON: encodeBase64urlNoPadding(
          clientData("webauthn.create", optionsJson.challenge, overrides.origin ?? testOrigin),
        ),
        attestationObject: encodeBase64urlNoPadding(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
    });
  }

  /**
   * Answers PublicKeyCredentialRequestOptions JSON: with the first of its credentials the options
   * allow (or, for an empty allow list, the newest one), or with `credential` when given.
   */
  async authenticate(
    optionsJson: { challenge: string; rpId: string; allowCredentials?: Array<{ id: string }> },
    overrides: CeremonyOverrides & { credential?: StoredCredential } = {},
  ): Promise<string> {
    const allowed = (optionsJson.allowCredentials ?? []).map((descriptor) => descriptor.id);
    const credential =
      overrides.credential ??
      (allowed.length > 0
        ? this.credentials.find((candidate) => allowed.includes(encodeBase64urlNoPadding(candidate.id)))
        : this.credentials.at(-1));
    if (!credential) throw new Error("the software authenticator holds no credential these options allow");
    if (!this.options.syncedCounter) credential.signCount = overrides.signCount ?? credential.signCount + 1;
    const flags = flagUserPresent | (overrides.userVerified === false ? 0 : flagUserVerified);
    const data = authenticatorData(overrides.rpId ?? credential.rpId, flags, credential.signCount);
    const clientDataJSON = clientData("webauthn.get", optionsJson.challenge, overrides.origin ?? testOrigin);
    const message = concatenateBytes(data, sha256(clientDataJSON));
    const p1363 = new Uint8Array(
      await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, credential.keyPair.privateKey, message),
    );
    const der = new ECDSASignature(bigIntFromBytes(p1363.slice(0, 32)), bigIntFromBytes(p1363.slice(32))).encodePKIX();
    const encodedId = encodeBase64urlNoPadding(credential.id);
    return JSON.stringify({
      id: encodedId,
      rawId: encodedId,
      type: "public-key",
      response: {
        clientDataJSON: encodeBase64urlNoPadding(clientDataJSON),
        authenticatorData: encodeBase64urlNoPadding(data),
        signature: encodeBase64urlNoPadding(der),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
    });
  }
}

/** The challenge a credential JSON answers (to build a second answer to the same challenge). */
export function challengeOf(credentialJson: string): string {
  const parsed = JSON.parse(credentialJson) as { response: { clientDataJSON: string } };
  const data = JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(parsed.response.clientDataJSON))) as {
    challenge: string;
  };
  return data.challenge;
}
