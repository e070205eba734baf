// Webhook signing secrets and signatures, as the Standard Webhooks specification defines them
// (docs/EVENTS.md "Verifying a delivery"):
//
//   secret     whsec_<base64 of the key bytes>
//   signed     "<webhook-id>.<webhook-timestamp>.<body>"
//   signature  v1,<base64 of HMAC-SHA256(key, signed)>, space-separated when several keys sign
//
// The key bytes are a Gatehouse secret token (auth/token-format.ts, kind "w": gthw_…, 256 bits
// and a checksum), so a leaked secret decodes to something a scanner recognises as ours, while any
// Standard Webhooks library reads the whsec_ form as it is. HMAC is WebCrypto's.
import { decodeBase64, encodeBase64 } from "@oslojs/encoding";
import { generateSecretToken, isWellFormedSecretToken } from "./token-format";

const secretPrefix = "whsec_";

/** A new signing secret in the whsec_ form. */
export function generateWebhookSecret(): string {
  return secretPrefix + encodeBase64(new TextEncoder().encode(generateSecretToken("webhookSecret")));
}

function readSecretKey(secret: string): Uint8Array<ArrayBuffer> {
  const bytes = secret.startsWith(secretPrefix) ? decodeBase64(secret.slice(secretPrefix.length)) : null;
  if (!bytes || !isWellFormedSecretToken("webhookSecret", new TextDecoder().decode(bytes))) {
    throw new Error("A stored webhook secret is not a whsec_ secret Gatehouse made");
  }
  return new Uint8Array(bytes);
}

async function signWith(secret: string, content: Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await crypto.subtle.importKey("raw", readSecretKey(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return `v1,${encodeBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, content)))}`;
}

/** The webhook-signature header: one v1 signature per secret (two while a rotation overlaps). */
export async function signWebhook(
  secrets: readonly string[],
  message: { id: string; timestampSeconds: number; body: string },
): Promise<string> {
  const content = new Uint8Array(new TextEncoder().encode(`${message.id}.${message.timestampSeconds}.${message.body}`));
  const signatures = await Promise.all(secrets.map((secret) => signWith(secret, content)));
  return signatures.join(" ");
}
