// Makes an Ed25519 key for the audit log's checkpoints (docs/AUDIT.md "Keys"):
//   npm run audit:keygen -- <origin, e.g. gatehouse.example.com/audit>
// prints the signer key (the AUDIT_SIGNING_KEYS secret: `wrangler secret put AUDIT_SIGNING_KEYS`)
// and the verifier key that auditors get from /.well-known/gatehouse-audit-keys.
// `--signer-only` prints the signer key alone (scripts/gatehouse.sh writes it into .dev.vars).
import { generateNoteKey } from "../src/auth/signed-notes";

const args = process.argv.slice(2);
const signerOnly = args.includes("--signer-only");
const name = args.find((argument) => !argument.startsWith("--"));
if (!name) {
  process.stderr.write("usage: npm run audit:keygen -- <origin, e.g. gatehouse.example.com/audit> [--signer-only]\n");
  process.exit(2);
}
const key = await generateNoteKey(name);
if (signerOnly) {
  process.stdout.write(`${key.signerKey}\n`);
} else {
  process.stdout.write(
    `AUDIT_SIGNING_KEYS (secret; newest first, keep earlier keys after it):\n${key.signerKey}\n\nVerifier key (public):\n${key.verifierKey}\n`,
  );
}
