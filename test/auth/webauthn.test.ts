// The relying party's checks (src/auth/webauthn.ts) against answers from the software authenticator.
import { decodeBase64urlIgnorePadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import {
  encodeP256PointUncompressed,
  isSignCountAcceptable,
  PasskeyRefusal,
  readClientData,
  relyingPartyOf,
  verifyAssertion,
  verifyRegistration,
} from "../../src/auth/webauthn";
import { origin } from "../helpers/agent";
import { SoftwareAuthenticator } from "../helpers/software-authenticator";

const rp = relyingPartyOf(origin, "Gatehouse");
const challenge = "q7sW0l7W9d0w4cXb0nNq0T3m2Kq8b6m1e5h4x3y2z1A";
const creation = { challenge, rp: { id: rp.id }, user: { id: "dXNyXzE" } };
const request = { challenge, rpId: rp.id, allowCredentials: [] };

async function register(authenticator: SoftwareAuthenticator, overrides = {}) {
  const json = JSON.parse(await authenticator.register(creation, overrides));
  const attestationObject = decodeBase64urlIgnorePadding(json.response.attestationObject);
  const clientDataJSON = decodeBase64urlIgnorePadding(json.response.clientDataJSON);
  return { json, attestationObject, clientDataJSON };
}

async function assertWith(authenticator: SoftwareAuthenticator, overrides = {}) {
  const json = JSON.parse(await authenticator.authenticate(request, overrides));
  return {
    clientDataJSON: decodeBase64urlIgnorePadding(json.response.clientDataJSON),
    authenticatorData: decodeBase64urlIgnorePadding(json.response.authenticatorData),
    signature: decodeBase64urlIgnorePadding(json.response.signature),
  };
}

async function refusalOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    if (error instanceof PasskeyRefusal) return error.reason;
    throw error;
  }
  return "accepted";
}

describe("WebAuthn checks", () => {
  it("accepts a registration and then an assertion signed by the registered key", async () => {
    const authenticator = new SoftwareAuthenticator();
    const { attestationObject, clientDataJSON, json } = await register(authenticator);
    expect(readClientData(clientDataJSON, "create", rp)).toEqual(decodeBase64urlIgnorePadding(challenge));
    const registered = await verifyRegistration(attestationObject, rp);
    expect(registered).toMatchObject({ algorithm: -7, credentialId: json.id, signCount: 0, userVerified: true });
    const assertion = await assertWith(authenticator);
    expect(readClientData(assertion.clientDataJSON, "get", rp)).toEqual(decodeBase64urlIgnorePadding(challenge));
    const verified = await verifyAssertion(assertion, registered, rp, { requireUserVerification: true });
    expect(verified).toEqual({ signCount: 1, userVerified: true });
  });

  it("refuses another origin, the other ceremony's client data, another RP id and a missing user verification", async () => {
    const authenticator = new SoftwareAuthenticator();
    const elsewhere = await register(authenticator, { origin: "http://localhost:9999" });
    expect(await refusalOf(() => readClientData(elsewhere.clientDataJSON, "create", rp))).toBe("wrong_origin");
    const own = await register(authenticator);
    expect(await refusalOf(() => readClientData(own.clientDataJSON, "get", rp))).toBe("wrong_type");
    const otherRp = await register(authenticator, { rpId: "evil.example" });
    expect(await refusalOf(verifyRegistration(otherRp.attestationObject, rp))).toBe("wrong_relying_party");
    const registered = await verifyRegistration(own.attestationObject, rp);
    const unverified = await assertWith(authenticator, {
      credential: authenticator.credentials[1],
      userVerified: false,
    });
    expect(await refusalOf(verifyAssertion(unverified, registered, rp, { requireUserVerification: true }))).toBe(
      "user_not_verified",
    );
    expect(await verifyAssertion(unverified, registered, rp, { requireUserVerification: false })).toMatchObject({
      userVerified: false,
    });
  });

  it("refuses a signature made by another key", async () => {
    const first = new SoftwareAuthenticator();
    const second = new SoftwareAuthenticator();
    const registered = await verifyRegistration((await register(first)).attestationObject, rp);
    await register(second);
    expect(
      await refusalOf(verifyAssertion(await assertWith(second), registered, rp, { requireUserVerification: true })),
    ).toBe("bad_signature");
  });

  it("accepts a counter only when it moves forward, or stays at zero", () => {
    expect(isSignCountAcceptable(0, 0)).toBe(true);
    expect(isSignCountAcceptable(0, 1)).toBe(true);
    expect(isSignCountAcceptable(5, 6)).toBe(true);
    expect(isSignCountAcceptable(5, 5)).toBe(false);
    expect(isSignCountAcceptable(5, 4)).toBe(false);
    expect(isSignCountAcceptable(5, 0)).toBe(false);
  });
});

describe("public key encoding", () => {
  it("pads both coordinates of a P-256 point to 32 bytes, so a key whose y starts with a zero byte still imports", () => {
    const point = encodeP256PointUncompressed(1n, 2n);
    expect(point.length).toBe(65);
    expect(point[0]).toBe(4);
    expect(point[32]).toBe(1);
    expect(point[64]).toBe(2);
    expect(point.slice(1, 32).every((byte) => byte === 0)).toBe(true);
    expect(point.slice(33, 64).every((byte) => byte === 0)).toBe(true);
  });
});
