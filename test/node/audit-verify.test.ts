// The offline verifier (scripts/audit-verify.ts). First its Merkle and signed-note code against published
// test vectors of other implementations, then whole exports built here by a small test-only log (leaves from
// the hash rules, trees and proofs from RFC 9162's recursive definitions in test/helpers/audit-log.ts, a test
// Ed25519 key), each tampered one way and named exactly.
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  CheckFailed,
  openSignedNote,
  parseVerifierKey,
  rootOf,
  verifyConsistency,
  verifyExport,
  verifyInclusion,
} from "../../scripts/audit-verify";
import { toCsvLine } from "../../src/domain/audit/audit-csv";
import { type AuditLeafRow, encodeAuditLeaf, hashLeaf } from "../../src/domain/audit/log-hashes";
import { referenceConsistency, referencePath, referenceRoot } from "../helpers/audit-log";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex, "hex"));
const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const hexToBase64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

async function messageOf(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    if (error instanceof CheckFailed) return error.message;
    throw error;
  }
  return "no failure";
}

// RFC 6962 test data as published by transparency-dev/merkle: the 8 leaves and the roots of sizes 0..8 from
// testonly/constants.go (LeafInputs, RootHashes; commit 417fb0c314750d94e53942e9f92e79b6d35915db), the
// inclusion and consistency proofs from proof/verify_test.go (inclusionProofs, consistencyProofs; commit
// 022f84cb1f2655a4399874cfa190c3f1d60b32a8, where `leaf` counts from 1). The same data as
// google/certificate-transparency's C++ merkle tree tests.
const rfc6962Leaves = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
];
const rfc6962Roots = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const rfc6962Inclusion = [
  { leafIndex: 0, size: 1, path: [] },
  {
    leafIndex: 0,
    size: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    leafIndex: 5,
    size: 8,
    path: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { leafIndex: 2, size: 3, path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    leafIndex: 1,
    size: 5,
    path: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];
const rfc6962Consistency = [
  { first: 1, second: 1, path: [] },
  {
    first: 1,
    second: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    first: 6,
    second: 8,
    path: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    first: 2,
    second: 5,
    path: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
  {
    first: 6,
    second: 7,
    path: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
];

// golang.org/x/mod sumdb/note/note_test.go (TestSign, TestOpen; commit 02c991387e35f9e4c0a9b7ce137717055f8d716d)
// and its package documentation: Peter Neumann's key pair, a note and its published signatures.
const peterSignerKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const peterKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const enochKey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const peterText =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const peterSignature =
  "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const enochSignature =
  "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

// c2sp.org/signed-note, "Verifier keys — Example" (C2SP/C2SP signed-note.md).
const c2spExampleKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const c2spExampleNote =
  "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

describe("the verifier's Merkle tree code, on RFC 6962 test data", () => {
  const leafHashes = () => Promise.all(rfc6962Leaves.map((leaf) => hashLeaf(fromHex(leaf))));

  it("computes the published root of every size from 0 to 8 (RFC 9162 §2.1.1)", async () => {
    const hashes = await leafHashes();
    for (let size = 0; size <= 8; size++) {
      expect(Buffer.from(await rootOf(hashes.slice(0, size))).toString("hex"), `size ${size}`).toBe(rfc6962Roots[size]);
    }
  });

  it("accepts the published inclusion proofs and refuses them with another index, size, leaf, path or root", async () => {
    const hashes = await leafHashes();
    for (const { leafIndex, size, path } of rfc6962Inclusion) {
      const proof = path.map(fromHex);
      const rootHash = fromHex(rfc6962Roots[size] ?? "");
      const leaf = hashes[leafIndex]!;
      expect(await verifyInclusion(leafIndex, size, leaf, proof, rootHash), `${leafIndex}/${size}`).toBe(true);
      expect(await verifyInclusion(leafIndex + 1, size, leaf, proof, rootHash)).toBe(false);
      expect(await verifyInclusion(leafIndex, size * 2, leaf, proof, rootHash)).toBe(false);
      expect(await verifyInclusion(leafIndex, size, hashes[7]!, proof, rootHash)).toBe(false);
      expect(await verifyInclusion(leafIndex, size, leaf, [...proof, rootHash], rootHash)).toBe(false);
      expect(await verifyInclusion(leafIndex, size, leaf, proof, fromHex(rfc6962Roots[0]!))).toBe(false);
      for (let position = 0; position < proof.length; position++) {
        const bitFlipped = proof.map((hash, at) =>
          at === position ? hash.map((b, i) => (i === 0 ? b ^ 8 : b)) : hash,
        );
        expect(await verifyInclusion(leafIndex, size, leaf, bitFlipped, rootHash)).toBe(false);
      }
    }
  });

  it("accepts the published consistency proofs and refuses them with other sizes, roots or paths", async () => {
    for (const { first, second, path } of rfc6962Consistency) {
      const proof = path.map(fromHex);
      const [firstRoot, secondRoot] = [fromHex(rfc6962Roots[first]!), fromHex(rfc6962Roots[second]!)];
      expect(await verifyConsistency(first, second, firstRoot, secondRoot, proof), `${first}→${second}`).toBe(true);
      expect(await verifyConsistency(first, second, secondRoot, firstRoot, proof)).toBe(first === second);
      expect(await verifyConsistency(first - 1 || 2, second, firstRoot, secondRoot, proof)).toBe(false);
      expect(await verifyConsistency(first, second, firstRoot, secondRoot, [...proof, secondRoot])).toBe(false);
      for (let position = 0; position < proof.length; position++) {
        const bitFlipped = proof.map((hash, at) =>
          at === position ? hash.map((b, i) => (i === 0 ? b ^ 8 : b)) : hash,
        );
        expect(await verifyConsistency(first, second, firstRoot, secondRoot, bitFlipped)).toBe(false);
      }
    }
  });

  it("gets the published proofs from the tests' RFC 9162 definitions, which build the fixtures below", async () => {
    const hashes = await leafHashes();
    for (const { leafIndex, size, path } of rfc6962Inclusion) {
      expect(await referencePath(leafIndex, hashes.slice(0, size))).toEqual(path.map(hexToBase64));
    }
    for (const { first, second, path } of rfc6962Consistency) {
      expect(await referenceConsistency(first, hashes.slice(0, second))).toEqual(path.map(hexToBase64));
    }
  });
});

describe("the verifier's signed notes (c2sp.org/signed-note), on published notes", () => {
  it("opens the c2sp.org/signed-note example and golang.org/x/mod's PeterNeumann note with their keys", async () => {
    const example = await openSignedNote(c2spExampleNote, [await parseVerifierKey(c2spExampleKey)], "note");
    expect(example.text).toBe("This is an example message.\n");
    const peter = await openSignedNote(`${peterText}\n${peterSignature}`, [await parseVerifierKey(peterKey)], "note");
    expect(peter.text).toBe(peterText);
  });

  it("ignores a signature by an unknown key, refuses a note only unknown keys signed, and one a known key's signature fails", async () => {
    const keys = [await parseVerifierKey(peterKey)];
    const both = `${peterText}\n${peterSignature}${enochSignature}`;
    expect((await openSignedNote(both, keys, "note")).verifiedBy.map((key) => key.name)).toEqual(["PeterNeumann"]);
    const enochOnly = `${peterText}\n${enochSignature}`;
    expect(await messageOf(() => openSignedNote(enochOnly, keys, "note"))).toBe(
      "note: no signature verifies with the given key",
    );
    const changedText = `${peterText.replace("cryptography", "cryptographY")}\n${peterSignature}${enochSignature}`;
    expect(await messageOf(() => openSignedNote(changedText, keys, "note"))).toBe(
      "note: the signature of the key PeterNeumann+c74f20a3 does not verify: it was changed",
    );
    // TestOpen's "Invalid signature": four characters more after the key id.
    const longer = `${peterText}\n${peterSignature.slice(0, 60)}ABCD${peterSignature.slice(60)}`;
    expect(await messageOf(() => openSignedNote(longer, keys, "note"))).toBe(
      "note: the signature of the key PeterNeumann+c74f20a3 does not verify: it was changed",
    );
  });

  it("refuses malformed notes and keys whose id does not match their name and public key", async () => {
    const keys = [await parseVerifierKey(peterKey), await parseVerifierKey(enochKey)];
    for (const note of [peterText, `${peterText}\n`, `\u0001${peterText}\n${peterSignature}`]) {
      expect(await messageOf(() => openSignedNote(note, keys, "note"))).toMatch(/^note: it is not a signed note/);
    }
    await expect(
      parseVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
    ).rejects.toThrow("its key id does not match");
    await expect(
      parseVerifierKey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
    ).rejects.toThrow("is not an Ed25519 key");
  });

  it("signs with this file's test signer exactly as golang.org/x/mod does (Ed25519 is deterministic)", async () => {
    const seed = Buffer.from(peterSignerKey.split("+").slice(4).join("+"), "base64").subarray(1);
    const signer = await testSigner("PeterNeumann", seed);
    expect(signer.verifierKey).toBe(peterKey);
    expect(await signer.signatureLine(peterText)).toBe(peterSignature);
  });
});

// ---------------------------------------------------------------------------------------------------------
// A test-only log: leaves from the hash rules, trees and proofs from RFC 9162's definitions (§2.1.1 MTH,
// §2.1.3.1 PATH, §2.1.4.1 PROOF, test/helpers/audit-log.ts), checkpoints signed with a test Ed25519 key.

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const origin = "gatehouse.test/audit";

async function testSigner(name: string, seed: Uint8Array) {
  // PKCS #8 of an Ed25519 private key: a fixed 16-byte prefix (RFC 8410), then the 32-byte seed.
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  const { x = "" } = (await crypto.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
  const typeAndKey = Buffer.concat([Buffer.of(0x01), Buffer.from(x, "base64url")]);
  const keyId = new Uint8Array(
    await crypto.subtle.digest("SHA-256", Buffer.concat([Buffer.from(`${name}\n`), typeAndKey])),
  );
  return {
    verifierKey: `${name}+${toHex(keyId.subarray(0, 4))}+${toBase64(typeAndKey)}`,
    async signatureLine(text: string) {
      const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", privateKey, Buffer.from(text)));
      return `— ${name} ${toBase64(Buffer.concat([keyId.subarray(0, 4), signature]))}\n`;
    },
  };
}

// Events 1..21 without 10 (an id a failed insert used up): the log's leaf i holds the i-th of them.
const eventIds = Array.from({ length: 21 }, (_, index) => index + 1).filter((id) => id !== 10);

function auditRow(id: number): AuditLeafRow {
  return {
    id,
    at: new Date(Date.UTC(2026, 11, 3, 9, id, 30, 123)).toISOString(),
    action: id % 3 === 0 ? "user.invited" : "membership.granted",
    actor_kind: "user",
    actor_id: `usr_${id}`,
    // A formula the CSV must neutralize, and quotes and a line break it must quote.
    actor_name: id === 5 ? "=cmd" : `Ada Lovelace ${id}`,
    actor_email: id % 4 === 0 ? null : `ada${id}@example.test`,
    target_type: "user",
    target_id: `usr_t${id}`,
    target_label: id === 7 ? 'Zoë "the admin",\r\nsecond line' : `Target ${id}`,
    tenant_id: id % 2 === 1 ? "ten_acme" : null,
    ip: "203.0.113.7",
    request_id: `req_${id}`,
    details: { role: "admin", previous: null, changes: { z: 1, a: [1, "two", -3.5] } },
  };
}

async function buildLog(signerSeed = 7) {
  const signer = await testSigner(origin, new Uint8Array(32).fill(signerSeed));
  const rows = eventIds.map(auditRow);
  const leaves = rows.map(encodeAuditLeaf);
  const hashes = await Promise.all(leaves.map(hashLeaf));
  const checkpoint = async (size: number, rootHash?: Uint8Array) => {
    const text = `${origin}\n${size}\n${toBase64(rootHash ?? (await referenceRoot(hashes.slice(0, size))))}\n`;
    return `${text}\n${await signer.signatureLine(text)}`;
  };
  return { signer, rows, leaves, hashes, checkpoint };
}

type TestLog = Awaited<ReturnType<typeof buildLog>>;
type ExportRow = Record<string, unknown>;
interface TestExport {
  format: string;
  filter: Record<string, string>;
  checkpoint: string;
  consistency?: { fromSize: number; toSize: number; proof: string[] };
  rows: ExportRow[];
}

/** The JSON export of the whole log (or the rows `include` keeps), newest first, against the checkpoint at `size`. */
async function exportOf(
  log: TestLog,
  {
    size = eventIds.length,
    filter = {},
    consistencyFrom,
  }: { size?: number; filter?: Record<string, string>; consistencyFrom?: number } = {},
): Promise<TestExport> {
  const checkpoint = await log.checkpoint(size);
  const hashes = log.hashes.slice(0, size);
  const rows: ExportRow[] = [];
  for (let index = size - 1; index >= 0; index--) {
    const row = log.rows[index]!;
    if (filter.action && row.action !== filter.action) continue;
    const path = await referencePath(index, hashes);
    const proof = `c2sp.org/tlog-proof@v1\nindex ${index}\n${path.map((hash) => `${hash}\n`).join("")}\n${checkpoint}`;
    rows.push({ ...row, leaf_index: index, leaf: toBase64(log.leaves[index]!), proof });
  }
  const consistency =
    consistencyFrom === undefined
      ? undefined
      : {
          fromSize: consistencyFrom,
          toSize: size,
          proof: await referenceConsistency(consistencyFrom, hashes),
        };
  return { format: "gatehouse-audit-export/v1", filter, checkpoint, consistency, rows };
}

/** The CSV export of the same rows, written with the console's own cell writer (neutralized, quoted, CRLF). */
function csvOf(exported: TestExport): string {
  const columns = [...Object.keys(auditRow(1)), "leaf_index", "leaf", "proof"];
  const lines = exported.rows.map((row) =>
    toCsvLine(
      columns.map((column) =>
        column === "details" ? JSON.stringify(row[column]) : (row[column] as string | number | null),
      ),
    ),
  );
  return `\uFEFF${toCsvLine(columns)}${lines.join("")}`;
}

function swap<T>(list: T[], a: number, b: number) {
  [list[a], list[b]] = [list[b]!, list[a]!];
}

const rowOf = (exported: TestExport, id: number) => exported.rows.find((row) => row.id === id)!;

async function verify(exported: TestExport | string, log: TestLog, previous?: string) {
  const text = typeof exported === "string" ? exported : JSON.stringify(exported, null, 2);
  return verifyExport(text, { keys: [log.signer.verifierKey], previous });
}

describe("verifyExport on exports of a test log", () => {
  it("verifies a complete JSON export and a filtered one", async () => {
    const log = await buildLog();
    expect(await verify(await exportOf(log), log)).toEqual({
      exitCode: 0,
      lines: [
        "verified: 20 rows; checkpoint gatehouse.test/audit at size 20; complete export: all 20 leaves present, their root is the checkpoint's",
      ],
    });
    expect(await verify(await exportOf(log, { filter: { action: "user.invited" } }), log)).toEqual({
      exitCode: 0,
      lines: [
        "verified: 7 rows; checkpoint gatehouse.test/audit at size 20; filtered export: deleted rows show only in a complete JSON export",
      ],
    });
  });

  it("names a row edited after it was logged, by the column that differs from its leaf", async () => {
    const log = await buildLog();
    const exported = await exportOf(log);
    rowOf(exported, 17).actor_name = "Mallory";
    expect(await verify(exported, log)).toEqual({
      exitCode: 1,
      lines: [
        "row 17 (leaf 15): the row differs from what the log recorded: actor_name",
        "NOT VERIFIED: 4 of 20 rows verified before the failure; checkpoint gatehouse.test/audit at size 20",
      ],
    });
  });

  it("refuses an edited row whose leaf was recomputed to match it: the proof no longer leads to the root", async () => {
    const log = await buildLog();
    const exported = await exportOf(log);
    const row = rowOf(exported, 17);
    row.actor_name = "Mallory";
    row.leaf = toBase64(encodeAuditLeaf({ ...log.rows[15]!, actor_name: "Mallory" }));
    expect((await verify(exported, log)).lines[0]).toBe(
      "row 17 (leaf 15): its inclusion proof does not lead to the checkpoint's root hash: the row or its proof was changed",
    );
  });

  it("names a deleted row in a complete export by its leaf index and its neighbours", async () => {
    const log = await buildLog();
    const exported = await exportOf(log);
    exported.rows = exported.rows.filter((row) => row.id !== 17);
    expect(await verify(exported, log)).toEqual({
      exitCode: 1,
      lines: [
        "leaf 15 is missing between rows 16 and 18: a row was deleted",
        "NOT VERIFIED: 19 of 19 rows verified before the failure; checkpoint gatehouse.test/audit at size 20",
      ],
    });
    exported.rows = exported.rows.filter((row) => row.id !== 1 && row.id !== 2);
    expect((await verify(exported, log)).lines[0]).toBe("leaves 0 to 1 are missing before row 3: rows were deleted");
  });

  it("names two rows whose contents were swapped", async () => {
    const log = await buildLog();
    const exported = await exportOf(log);
    const [row12, row13] = [rowOf(exported, 12), rowOf(exported, 13)];
    for (const column of Object.keys(auditRow(1)).filter((name) => name !== "id")) {
      [row12[column], row13[column]] = [row13[column], row12[column]];
    }
    expect((await verify(exported, log)).lines[0]).toBe(
      "row 13 (leaf 11): the row differs from what the log recorded: at, action, actor_id, actor_name, actor_email, target_id, target_label, tenant_id, request_id",
    );
  });

  it("names a row the log has no leaf for", async () => {
    const log = await buildLog();
    const exported = await exportOf(log);
    const intruder = { ...auditRow(10), leaf_index: null, leaf: null, proof: null };
    exported.rows.splice(exported.rows.indexOf(rowOf(exported, 11)) + 1, 0, intruder);
    expect(await verify(exported, log)).toEqual({
      exitCode: 1,
      lines: [
        "row 10 has no leaf although the checkpoint covers its id: it was added behind the log's back",
        "NOT VERIFIED: 11 of 21 rows verified before the failure; checkpoint gatehouse.test/audit at size 20",
      ],
    });
  });

  it("refuses a checkpoint whose signature fails, and one only an unknown key signed", async () => {
    const log = await buildLog();
    const exported = await exportOf(log);
    const [keyId] = log.signer.verifierKey.split("+").slice(1);
    const forged = JSON.parse(JSON.stringify(exported).replaceAll(`\\n${20}\\n`, `\\n${21}\\n`)) as TestExport;
    expect(await verify(forged, log)).toEqual({
      exitCode: 1,
      lines: [
        `checkpoint: the signature of the key gatehouse.test/audit+${keyId} does not verify: it was changed`,
        "NOT VERIFIED: 0 of 20 rows verified before the failure; checkpoint not verified",
      ],
    });
    const otherLog = await buildLog(8);
    expect(await verify(await exportOf(otherLog), log)).toEqual({
      exitCode: 1,
      lines: [
        "checkpoint: no signature verifies with the given key",
        "NOT VERIFIED: 0 of 20 rows verified before the failure; checkpoint not verified",
      ],
    });
  });

  it("names the row whose inclusion proof was changed", async () => {
    const log = await buildLog();
    const exported = await exportOf(log);
    const row = rowOf(exported, 17);
    const lines = String(row.proof).split("\n");
    lines[2] = toBase64(new Uint8Array(32));
    row.proof = lines.join("\n");
    expect(await verify(exported, log)).toEqual({
      exitCode: 1,
      lines: [
        "row 17 (leaf 15): its inclusion proof does not lead to the checkpoint's root hash: the row or its proof was changed",
        "NOT VERIFIED: 4 of 20 rows verified before the failure; checkpoint gatehouse.test/audit at size 20",
      ],
    });
  });

  it("reads the CSV export (BOM, CRLF, quoted line breaks) and accepts a formula cell neutralized as '=cmd, nothing else", async () => {
    const log = await buildLog();
    const csv = csvOf(await exportOf(log));
    expect(csv).toContain(`"'=cmd"`);
    expect(await verify(csv, log)).toEqual({
      exitCode: 0,
      lines: [
        "verified: 20 rows; checkpoint gatehouse.test/audit at size 20; CSV export: deleted rows show only in a complete JSON export",
      ],
    });
    expect((await verify(csv.replace(`"'=cmd"`, `"=cmd"`), log)).lines[0]).toBe(
      "row 5 (leaf 4): the row differs from what the log recorded: actor_name",
    );
    expect((await verify(csv.replace("second line", "second  line"), log)).lines[0]).toBe(
      "row 7 (leaf 6): the row differs from what the log recorded: target_label",
    );
  });

  it("accepts an older checkpoint the export extends: by its consistency proof, or by the first leaves of a complete export", async () => {
    const log = await buildLog();
    const previous = await log.checkpoint(7);
    const filtered = await exportOf(log, { filter: { action: "user.invited" }, consistencyFrom: 7 });
    expect((await verify(filtered, log, previous)).lines).toEqual([
      "verified: 7 rows; checkpoint gatehouse.test/audit at size 20; filtered export: deleted rows show only in a complete JSON export; the previous checkpoint (size 7) is consistent with it",
    ]);
    expect((await verify(await exportOf(log), log, previous)).exitCode).toBe(0);
    expect((await verify(await exportOf(log, { filter: { action: "user.invited" } }), log, previous)).lines[0]).toBe(
      "previous checkpoint: the JSON export holds no consistency proof from size 7: export JSON with consistencyFrom=7",
    );
  });

  it("refuses an older checkpoint with a forged root, even signed by the log's key", async () => {
    const log = await buildLog();
    const forged = await log.checkpoint(7, await referenceRoot(log.hashes.slice(1, 8)));
    const filtered = await exportOf(log, { filter: { action: "user.invited" }, consistencyFrom: 7 });
    expect(await verify(filtered, log, forged)).toEqual({
      exitCode: 1,
      lines: [
        "previous checkpoint: the consistency proof from size 7 to 20 does not hold: the log was rewritten since the previous checkpoint",
        "NOT VERIFIED: 7 of 7 rows verified before the failure; checkpoint gatehouse.test/audit at size 20",
      ],
    });
    expect((await verify(await exportOf(log), log, forged)).lines[0]).toBe(
      "previous checkpoint: the root of the first 7 leaves is not its root hash: the log was rewritten since the previous checkpoint",
    );
    expect((await verify(await exportOf(log, { size: 6 }), log, await log.checkpoint(7))).lines[0]).toBe(
      "previous checkpoint: its size 7 is larger than the export's checkpoint's (6): the log lost leaves",
    );
  });

  it("refuses two rows on one leaf, and a log whose order contradicts the ids", async () => {
    const log = await buildLog();
    const exported = await exportOf(log);
    exported.rows.splice(3, 0, { ...exported.rows[3]! });
    expect((await verify(exported, log)).lines[0]).toBe("row 18 (leaf 16): leaf 16 is row 18's too");

    const swappedLog = await buildLog();
    swap(swappedLog.rows, 3, 4);
    swap(swappedLog.leaves, 3, 4);
    swap(swappedLog.hashes, 3, 4);
    expect((await verify(await exportOf(swappedLog), swappedLog)).lines[0]).toBe(
      "row 4 (leaf 4) comes after row 5 (leaf 3) in the log: the log's order contradicts the ids",
    );
  });

  it("answers exit code 2 for input it cannot read, naming what is wrong", async () => {
    const log = await buildLog();
    expect(await verify("{", log)).toEqual({ exitCode: 2, lines: ["the export is not valid JSON"] });
    expect(await verify('"id","at"\r\n', log)).toMatchObject({ exitCode: 2 });
    expect(await verifyExport(JSON.stringify(await exportOf(log)), { keys: ["not-a-key"] })).toEqual({
      exitCode: 2,
      lines: ['"not-a-key" is not a verifier key (<name>+<key id>+<base64 key>)'],
    });
  });
});

describe("npm run audit:verify", () => {
  const run = (command: string, args: string[], cwd: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env };
      delete env.INIT_CWD;
      execFile(command, args, { cwd, env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });

  it("reads the export, a key file and --previous relative to where npm was started, and exits 0", async () => {
    const log = await buildLog();
    const folder = await mkdtemp(join(tmpdir(), "audit-verify-"));
    await writeFile(join(folder, "export.json"), JSON.stringify(await exportOf(log, { consistencyFrom: 7 })));
    await writeFile(join(folder, "keys.txt"), `${(await buildLog(8)).signer.verifierKey}\n${log.signer.verifierKey}\n`);
    await writeFile(join(folder, "previous.txt"), await log.checkpoint(7));
    const result = await run(
      "npm",
      [
        "--prefix",
        root,
        "run",
        "--silent",
        "audit:verify",
        "--",
        "export.json",
        "--key",
        "keys.txt",
        "--previous",
        "previous.txt",
      ],
      folder,
    );
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(
      "verified: 20 rows; checkpoint gatehouse.test/audit at size 20; complete export: all 20 leaves present, their root is the checkpoint's; the previous checkpoint (size 7) is consistent with it\n",
    );
  });

  it("prints the first failure and the summary and exits 1; exits 2 on a usage error", async () => {
    const log = await buildLog();
    const folder = await mkdtemp(join(tmpdir(), "audit-verify-"));
    const exported = await exportOf(log);
    rowOf(exported, 17).actor_name = "Mallory";
    await writeFile(join(folder, "export.json"), JSON.stringify(exported));
    const script = ["scripts/gatehouse.sh", "exec", "tsx", "scripts/audit-verify.ts"];
    const failed = await run("sh", [...script, join(folder, "export.json"), "--key", log.signer.verifierKey], root);
    expect(failed).toEqual({
      code: 1,
      stdout:
        "row 17 (leaf 15): the row differs from what the log recorded: actor_name\nNOT VERIFIED: 4 of 20 rows verified before the failure; checkpoint gatehouse.test/audit at size 20\n",
      stderr: "",
    });
    const usage = await run("sh", [...script, join(folder, "export.json")], root);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("audit:verify: give the log's verifier key with --key\nusage: npm run audit:verify");
  });
});
