// What the browser posts after a ceremony: the PublicKeyCredential as JSON (WebAuthn Level 3
// §5.1.8, toJSON), carried in one form field by static/passkeys.js. Bounded and decoded here.
import { decodeBase64urlIgnorePadding } from "@oslojs/encoding";
import * as z from "zod";
import { PasskeyRefusal } from "../../auth/webauthn";

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/);

const registrationJsonSchema = z.object({
  id: base64url(1400),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url(4000),
    attestationObject: base64url(16000),
    transports: z.array(z.string().max(20)).max(10).optional(),
  }),
});

const assertionJsonSchema = z.object({
  id: base64url(1400),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url(4000),
    authenticatorData: base64url(4000),
    signature: base64url(2000),
    userHandle: base64url(200).nullish(),
  }),
});

/** The form field that carries the credential JSON; 24 KiB covers the largest attestation we accept. */
export const credentialFieldSchema = z
  .string()
  .min(1, "No passkey came with the form: use the button again and follow your browser's prompt.")
  .max(24_000, "That passkey was not accepted. Try again, or use another way to sign in.");

function parseJson<T>(schema: z.ZodType<T>, value: string): T {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new PasskeyRefusal("malformed");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new PasskeyRefusal("malformed");
  return parsed.data;
}

const knownTransports = new Set(["usb", "nfc", "ble", "smart-card", "hybrid", "internal"]);

export interface RegistrationResponse {
  clientDataJSON: Uint8Array;
  attestationObject: Uint8Array;
  transports: string[];
}

export function readRegistrationResponse(value: string): RegistrationResponse {
  const json = parseJson(registrationJsonSchema, value);
  return {
    clientDataJSON: decodeBase64urlIgnorePadding(json.response.clientDataJSON),
    attestationObject: decodeBase64urlIgnorePadding(json.response.attestationObject),
    transports: (json.response.transports ?? []).filter((transport) => knownTransports.has(transport)),
  };
}

export interface AssertionResponse {
  credentialId: string;
  clientDataJSON: Uint8Array;
  authenticatorData: Uint8Array;
  signature: Uint8Array;
  userHandle: string | null;
}

export function readAssertionResponse(value: string): AssertionResponse {
  const json = parseJson(assertionJsonSchema, value);
  return {
    credentialId: json.id,
    clientDataJSON: decodeBase64urlIgnorePadding(json.response.clientDataJSON),
    authenticatorData: decodeBase64urlIgnorePadding(json.response.authenticatorData),
    signature: decodeBase64urlIgnorePadding(json.response.signature),
    userHandle: json.response.userHandle
      ? new TextDecoder().decode(decodeBase64urlIgnorePadding(json.response.userHandle))
      : null,
  };
}
