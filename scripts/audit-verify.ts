// `npm run audit:verify -- <export.json|export.csv> --key <verifier key, or a file of them, one per line>
// [--previous <checkpoint file>]`: the offline verifier of an audit export, written to be read from top to
// bottom by an auditor. It trusts nothing in the export, only the verifier keys given on the command line,
// and shares no code with the log except the hash rules (src/domain/audit/log-hashes.ts).
//
// What it checks, in this order; the first failure is printed, then a summary line:
//  1. The export's checkpoint is a signed note (c2sp.org/signed-note) that a given key verifies, and that
//     key is named as the checkpoint's origin (c2sp.org/tlog-checkpoint, c2sp.org/tlog-proof@v1 "Verifying").
//  2. Every row, in the export's order: its leaf is the log's record of exactly this row, and the row's
//     tlog-proof (c2sp.org/tlog-proof@v1) leads from that leaf to the checkpoint's root (RFC 9162 §2.1.3.2).
//  3. No leaf belongs to two rows, and the log's order follows the ids (the log appends rows by id).
//  4. A complete export (JSON with filter {}): every leaf 0..size-1 is there, and the root of all leaves
//     (RFC 9162 §2.1.1) is the checkpoint's.
//  5. --previous: that checkpoint is signed as in 1, and the export's checkpoint extends it: the same root at
//     the same size, or a consistency proof (RFC 9162 §2.1.4.2), or for a complete export the root of its
//     first leaves.
// Exit codes: 0 everything verified, 1 a check failed, 2 usage or unreadable input.

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type AuditLeafRow,
  encodeAuditLeaf,
  hashChildren,
  hashEmptyTree,
  hashLeaf,
  leafVersionLine,
} from "../src/domain/audit/log-hashes";

const usage =
  "usage: npm run audit:verify -- <export.json|export.csv> --key <verifier key, or a file of them, one per line> [--previous <checkpoint file>]";

/** A check failed: the export is not what the log signed (exit 1). */
export class CheckFailed extends Error {}

/** The arguments or the input cannot be read at all (exit 2). */
export class UnreadableInput extends Error {}

function fail(message: string): never {
  throw new CheckFailed(message);
}

// ---------------------------------------------------------------------------------------------------------
// Bytes

const utf8 = new TextEncoder();
// Invalid UTF-8 is an error, never replaced; a byte order mark stays a character.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Standard base64 (RFC 4648 §4) with padding, in its one canonical spelling; null for anything else. */
function decodeBase64(text: string): Uint8Array | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? new Uint8Array(bytes) : null;
}

function decodeHash(text: string): Uint8Array | null {
  const bytes = decodeBase64(text);
  return bytes?.length === 32 ? bytes : null;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", Buffer.concat(parts)));
}

// ---------------------------------------------------------------------------------------------------------
// Merkle trees, RFC 9162 §2.1 (the same trees as RFC 6962). Sizes and indexes are JavaScript numbers, exact
// up to 2^53: halving is Math.floor(x / 2), never `>>`, which would cut them to 32 bits.

const isOdd = (value: number) => value % 2 === 1;
const half = (value: number) => Math.floor(value / 2);

/** §2.1.1: MTH of the leaves whose hashes are given, splitting at the largest power of two below n. */
export async function rootOf(leafHashes: Uint8Array[], start = 0, end = leafHashes.length): Promise<Uint8Array> {
  const n = end - start;
  if (n === 0) return hashEmptyTree();
  if (n === 1) return leafHashes[start]!;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return hashChildren(await rootOf(leafHashes, start, start + k), await rootOf(leafHashes, start + k, end));
}

/** §2.1.3.2, step by step: does `inclusionPath` lead from the leaf at `leafIndex` to `rootHash`? */
export async function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  inclusionPath: Uint8Array[],
  rootHash: Uint8Array,
): Promise<boolean> {
  // 1. A leaf index at or beyond the tree size fails.
  if (leafIndex >= treeSize) return false;
  // 2.-3. fn = leaf_index, sn = tree_size - 1, r = the leaf's hash.
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  // 4. For each p in the path:
  for (const p of inclusionPath) {
    // a. sn = 0 with path left over fails.
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      // b. r = HASH(0x01 || p || r); if LSB(fn) is not set, shift fn and sn until it is or fn is 0.
      r = await hashChildren(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // Otherwise r = HASH(0x01 || r || p).
      r = await hashChildren(r, p);
    }
    // c. Shift fn and sn once.
    fn = half(fn);
    sn = half(sn);
  }
  // 5. Proven when sn is 0 and r is the root hash.
  return sn === 0 && equalBytes(r, rootHash);
}

/** §2.1.4.2, step by step: is the tree of size `second` an extension of the tree of size `first`? */
export async function verifyConsistency(
  first: number,
  second: number,
  firstHash: Uint8Array,
  secondHash: Uint8Array,
  consistencyPath: Uint8Array[],
): Promise<boolean> {
  if (first > second) return false;
  // §2.1.4.1 proves nothing for an empty first tree or for equal sizes: the path is empty then.
  if (first === 0) return consistencyPath.length === 0;
  if (first === second) return consistencyPath.length === 0 && equalBytes(firstHash, secondHash);
  // 1. An empty path fails.  2. If first is an exact power of 2, first_hash goes in front of the path.
  const path = Number.isInteger(Math.log2(first)) ? [firstHash, ...consistencyPath] : consistencyPath;
  const [start, ...rest] = path;
  if (start === undefined || consistencyPath.length === 0) return false;
  // 3. fn = first - 1, sn = second - 1.  4. While LSB(fn) is set, shift fn and sn.
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5. fr and sr both start as the path's first value.
  let fr = start;
  let sr = start;
  // 6. For each following value c:
  for (const c of rest) {
    // a. sn = 0 with path left over fails.
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      // b. fr = HASH(0x01 || c || fr), sr = HASH(0x01 || c || sr); if LSB(fn) is not set, shift fn and sn
      //    until it is or fn is 0.
      fr = await hashChildren(c, fr);
      sr = await hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // Otherwise sr = HASH(0x01 || sr || c).
      sr = await hashChildren(sr, c);
    }
    // c. Shift fn and sn once.
    fn = half(fn);
    sn = half(sn);
  }
  // 7. Consistent when fr is first_hash, sr is second_hash and sn is 0.
  return sn === 0 && equalBytes(fr, firstHash) && equalBytes(sr, secondHash);
}

// ---------------------------------------------------------------------------------------------------------
// Signed notes and verifier keys, c2sp.org/signed-note (Ed25519, signature type 0x01)

export interface VerifierKey {
  name: string;
  keyId: Uint8Array;
  publicKey: CryptoKey;
}

/** A verifier key `<name>+<key id, 8 hex>+<base64(0x01 || 32-byte Ed25519 public key)>`. */
export async function parseVerifierKey(text: string): Promise<VerifierKey> {
  const parts = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(text);
  if (!parts) throw new UnreadableInput(`"${text}" is not a verifier key (<name>+<key id>+<base64 key>)`);
  const [, name = "", keyIdHex = "", material = ""] = parts;
  const typeAndKey = decodeBase64(material);
  if (typeAndKey?.length !== 33 || typeAndKey[0] !== 0x01) {
    throw new UnreadableInput(`the key ${name}+${keyIdHex} is not an Ed25519 key (type 0x01, 32 bytes)`);
  }
  // Key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4].
  const keyId = (await sha256(utf8.encode(`${name}\n`), typeAndKey)).subarray(0, 4);
  if (toHex(keyId) !== keyIdHex) {
    throw new UnreadableInput(`the key ${name}+${keyIdHex}: its key id does not match its name and public key`);
  }
  const publicKey = await crypto.subtle.importKey("raw", typeAndKey.subarray(1), { name: "Ed25519" }, false, [
    "verify",
  ]);
  return { name, keyId, publicKey };
}

async function parseVerifierKeys(texts: string[]): Promise<VerifierKey[]> {
  const keys = await Promise.all([...new Set(texts)].map(parseVerifierKey));
  if (keys.length === 0) throw new UnreadableInput("no verifier key was given (--key)");
  const ids = keys.map((key) => `${key.name}+${toHex(key.keyId)}`);
  const shared = ids.find((id, index) => ids.indexOf(id) !== index);
  if (shared) throw new UnreadableInput(`two different keys have the same name and key id: ${shared}`);
  return keys;
}

interface NoteSignature {
  name: string;
  keyId: Uint8Array;
  signature: Uint8Array;
}

/** Splits a signed note into its text (up to and including its final newline) and its signature lines. */
function parseSignedNote(note: string): { text: string; signatures: NoteSignature[] } | string {
  // A string holds a lone surrogate only when it was never valid UTF-8.
  if (/\p{Cs}/u.test(note)) return "it is not valid UTF-8";
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) return "it holds a control character other than newline";
  // The text ends at the last blank line; it keeps its own final newline.
  const blank = note.lastIndexOf("\n\n");
  if (blank === -1) return "no blank line separates its text from its signatures";
  const block = note.slice(blank + 2);
  if (block === "" || !block.endsWith("\n")) return "its signature lines do not end in a newline";
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > 100) return "it has more than 100 signatures";
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    // — <key name> <base64(4-byte key id || signature)>; key names have no spaces and no "+".
    const parts = /^\u2014 ([^\s+]+) (\S+)$/u.exec(line);
    const bytes = decodeBase64(parts?.[2] ?? "");
    if (!parts || !bytes || bytes.length < 5) return `"${line}" is not a signature line`;
    signatures.push({ name: parts[1] ?? "", keyId: bytes.subarray(0, 4), signature: bytes.subarray(4) });
  }
  return { text: note.slice(0, blank + 1), signatures };
}

/**
 * Opens a signed note with the given keys: signatures by unknown keys (another name or key id) are ignored; a
 * known key's signature that fails rejects the note; a note no known key verifies is rejected. Returns the
 * note's text and the keys that verified it. `label` starts every message ("checkpoint").
 */
export async function openSignedNote(
  note: string,
  keys: VerifierKey[],
  label: string,
): Promise<{ text: string; verifiedBy: VerifierKey[] }> {
  const parsed = parseSignedNote(note);
  if (typeof parsed === "string") fail(`${label}: it is not a signed note (c2sp.org/signed-note): ${parsed}`);
  const message = utf8.encode(parsed.text);
  const verifiedBy: VerifierKey[] = [];
  for (const signature of parsed.signatures) {
    const key = keys.find((known) => known.name === signature.name && equalBytes(known.keyId, signature.keyId));
    if (!key) continue;
    const valid =
      signature.signature.length === 64 &&
      (await crypto.subtle.verify({ name: "Ed25519" }, key.publicKey, signature.signature, message));
    if (!valid) {
      fail(`${label}: the signature of the key ${key.name}+${toHex(key.keyId)} does not verify: it was changed`);
    }
    verifiedBy.push(key);
  }
  if (verifiedBy.length === 0) fail(`${label}: no signature verifies with the given key${keys.length > 1 ? "s" : ""}`);
  return { text: parsed.text, verifiedBy };
}

// ---------------------------------------------------------------------------------------------------------
// Checkpoints (c2sp.org/tlog-checkpoint) and inclusion proofs (c2sp.org/tlog-proof@v1)

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
}

function isDecimal(text: string): boolean {
  return /^(?:0|[1-9][0-9]*)$/.test(text) && Number.isSafeInteger(Number(text));
}

/** Reads the signed checkpoint: the note is opened first; its text counts only once a log key verified it. */
async function openCheckpoint(note: string, keys: VerifierKey[], label: string): Promise<Checkpoint> {
  const { text, verifiedBy } = await openSignedNote(note, keys, label);
  // <origin>\n<size>\n<base64 root hash>\n, then optional non-empty extension lines (ignored).
  const lines = text.slice(0, -1).split("\n");
  const [origin = "", size = "", root = ""] = lines;
  const rootHash = decodeHash(root);
  if (lines.length < 3 || lines.includes("") || !isDecimal(size) || !rootHash) {
    fail(`${label}: its text is not a checkpoint (c2sp.org/tlog-checkpoint): origin, size and root hash lines`);
  }
  if (!verifiedBy.some((key) => key.name === origin)) {
    fail(`${label}: it is signed by ${verifiedBy[0]?.name}, a key not named as its origin ${origin}`);
  }
  return { origin, size: Number(size), rootHash };
}

interface TlogProof {
  index: number;
  path: Uint8Array[];
  checkpoint: string;
}

/** c2sp.org/tlog-proof@v1: the header lines, the inclusion path, an empty line, the checkpoint verbatim. */
function parseTlogProof(proof: string): TlogProof | string {
  const blank = proof.indexOf("\n\n");
  if (blank === -1) return "no empty line before the checkpoint";
  const lines = proof.slice(0, blank).split("\n");
  if (lines.shift() !== "c2sp.org/tlog-proof@v1") return 'its first line is not "c2sp.org/tlog-proof@v1"';
  // The optional extra data is not authenticated: it is read past, never used.
  if (lines[0]?.startsWith("extra ") && decodeBase64(lines[0].slice(6)) !== null) lines.shift();
  const index = /^index (\S+)$/.exec(lines.shift() ?? "")?.[1] ?? "";
  if (!isDecimal(index)) return 'no "index <leaf index>" line';
  const path: Uint8Array[] = [];
  for (const line of lines) {
    const hash = decodeHash(line);
    if (!hash) return `"${line}" is not a SHA-256 hash in base64`;
    path.push(hash);
  }
  return { index: Number(index), path, checkpoint: proof.slice(blank + 2) };
}

// ---------------------------------------------------------------------------------------------------------
// The leaf: the log's record of one row (the hash rules, src/domain/audit/log-hashes.ts)

// The columns a leaf records, as the export names them: written out here rather than imported, since the
// verifier takes nothing from the writer but the hash rules.
const leafColumns = [
  "id",
  "at",
  "action",
  "actor_kind",
  "actor_id",
  "actor_name",
  "actor_email",
  "target_type",
  "target_id",
  "target_label",
  "tenant_id",
  "ip",
  "request_id",
  "details",
] as const;
type LeafColumn = (typeof leafColumns)[number];
type LeafRecord = Record<LeafColumn, unknown>;

/** The row a leaf records, when the leaf is exactly the log's encoding of a row; null otherwise. */
function readLeafRecord(leaf: Uint8Array): LeafRecord | null {
  try {
    const text = strictUtf8.decode(leaf);
    if (!text.startsWith(leafVersionLine)) return null;
    const record: unknown = JSON.parse(text.slice(leafVersionLine.length));
    if (!isObject(record) || !equalBytes(encodeAuditLeaf(record as unknown as AuditLeafRow), leaf)) return null;
    return record as LeafRecord;
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The same JSON value (object keys in any order). */
function sameJsonValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => sameJsonValue(item, b[index]));
  }
  if (!isObject(a) || !isObject(b) || Object.keys(a).length !== Object.keys(b).length) return false;
  return Object.keys(a).every((key) => Object.hasOwn(b, key) && sameJsonValue(a[key], b[key]));
}

// ---------------------------------------------------------------------------------------------------------
// Reading the export: JSON, or CSV (RFC 4180)

interface ExportedRow {
  /** The row's id as the export shows it. */
  name: string;
  leafIndex: number | null;
  leaf: string | null;
  proof: string | null;
  /** The columns whose exported values are not what the leaf recorded. */
  differingColumns(leaf: Uint8Array, recorded: LeafRecord): LeafColumn[];
}

interface ReadExport {
  kind: "JSON" | "CSV";
  /** The signed checkpoint every proof is against; null for a CSV without any proof. */
  checkpoint: string | null;
  /** A JSON export of the whole log (filter {}): every leaf must be there. */
  complete: boolean;
  consistency: { fromSize: number; toSize: number; proof: unknown[] } | null;
  rows: ExportedRow[];
}

function readExport(text: string): ReadExport {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  return body.trimStart().startsWith("{") ? readJsonExport(body) : readCsvExport(body);
}

function readJsonExport(text: string): ReadExport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnreadableInput("the export is not valid JSON");
  }
  const unreadable = (what: string) =>
    new UnreadableInput(`the JSON is not a gatehouse-audit-export/v1 export: ${what}`);
  if (!isObject(value) || value.format !== "gatehouse-audit-export/v1") throw unreadable('"format"');
  const { checkpoint, filter, consistency, rows } = value;
  if (typeof checkpoint !== "string") throw unreadable('"checkpoint" is not a signed note text');
  if (!isObject(filter)) throw unreadable('"filter" is not an object');
  if (!Array.isArray(rows)) throw unreadable('"rows" is not a list');
  const readConsistency = () => {
    if (consistency === undefined || consistency === null) return null;
    const { fromSize, toSize, proof } = isObject(consistency) ? consistency : {};
    if (!Number.isSafeInteger(fromSize) || !Number.isSafeInteger(toSize) || !Array.isArray(proof)) {
      throw unreadable('"consistency" is not { fromSize, toSize, proof }');
    }
    return { fromSize: Number(fromSize), toSize: Number(toSize), proof };
  };
  return {
    kind: "JSON",
    checkpoint,
    complete: Object.keys(filter).length === 0,
    consistency: readConsistency(),
    rows: rows.map((row: unknown, position) => {
      const { leaf_index: leafIndex, leaf, proof } = isObject(row) ? row : {};
      const isIndex = leafIndex === null || (Number.isSafeInteger(leafIndex) && Number(leafIndex) >= 0);
      const isText = (cell: unknown) => cell === null || typeof cell === "string";
      if (!isObject(row) || !isIndex || !isText(leaf) || !isText(proof)) {
        throw unreadable(`row ${position + 1} of "rows" lacks leaf_index, leaf or proof`);
      }
      return {
        name: String(row.id),
        leafIndex: leafIndex as number | null,
        leaf: leaf as string | null,
        proof: proof as string | null,
        differingColumns(leafBytes, recorded) {
          // The contract: recompute the leaf from the row's columns; name the columns only to explain.
          const claimed = Object.fromEntries(leafColumns.map((column) => [column, row[column]]));
          if (equalBytes(encodeAuditLeaf(claimed as unknown as AuditLeafRow), leafBytes)) return [];
          const differing = leafColumns.filter((column) => !sameJsonValue(claimed[column], recorded[column]));
          return differing.length > 0 ? differing : [...leafColumns];
        },
      };
    }),
  };
}

const csvColumns = [...leafColumns, "leaf_index", "leaf", "proof"] as const;

// The export neutralizes cells against formula injection: a cell starting with = + - @, a tab or a carriage
// return gets a leading "'". A cell must be exactly the neutralized form of the value the leaf records.
const formulaTrigger = /^[=+\-@\t\r]/;
const neutralized = (text: string) => (formulaTrigger.test(text) ? `'${text}` : text);
const unneutralized = (cell: string) =>
  cell.startsWith("'") && formulaTrigger.test(cell.slice(1)) ? cell.slice(1) : cell;

/** Does a CSV cell show the value the leaf recorded? `details` is JSON, in any key order. */
function cellShows(cell: string, recorded: unknown, column: LeafColumn): boolean {
  if (column !== "details") return cell === neutralized(recorded === null ? "" : String(recorded));
  const text = unneutralized(cell);
  try {
    return cell === neutralized(text) && sameJsonValue(JSON.parse(text), recorded);
  } catch {
    return false;
  }
}

function readCsvExport(text: string): ReadExport {
  const [header, ...records] = readCsvRecords(text);
  if (header?.join(",") !== csvColumns.join(",")) {
    throw new UnreadableInput(`the export is neither JSON nor an audit CSV with the columns ${csvColumns.join(", ")}`);
  }
  const rows = records.map((cells, position): ExportedRow => {
    if (cells.length !== csvColumns.length) {
      throw new UnreadableInput(`CSV record ${position + 2} has ${cells.length} cells, not ${csvColumns.length}`);
    }
    const cell = (column: (typeof csvColumns)[number]) => cells[csvColumns.indexOf(column)] ?? "";
    const [leafIndex, leaf, proof] = [cell("leaf_index"), cell("leaf"), cell("proof")].map(unneutralized);
    if (leafIndex !== "" && !isDecimal(leafIndex ?? "")) {
      throw new UnreadableInput(`CSV record ${position + 2}: leaf_index "${leafIndex}" is not a number`);
    }
    return {
      name: cell("id"),
      leafIndex: leafIndex ? Number(leafIndex) : null,
      leaf: leaf || null,
      proof: proof || null,
      differingColumns: (_leaf, recorded) =>
        leafColumns.filter((column) => !cellShows(cell(column), recorded[column], column)),
    };
  });
  // The CSV has no checkpoint of its own: every proof ends with it.
  const proof = rows.find((row) => row.proof !== null)?.proof;
  return {
    kind: "CSV",
    checkpoint: proof?.includes("\n\n") ? proof.slice(proof.indexOf("\n\n") + 2) : (proof ?? null),
    complete: false,
    consistency: null,
    rows,
  };
}

/** RFC 4180 records: quoted cells with doubled quotes and line breaks inside, CRLF (or LF) between records. */
function readCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let cells: string[] = [];
  let at = 0;
  while (at < text.length) {
    let cell = "";
    if (text[at] === '"') {
      for (let from = at + 1; ; ) {
        const quote = text.indexOf('"', from);
        if (quote === -1) throw new UnreadableInput(`CSV record ${records.length + 1}: a quoted cell never ends`);
        cell += text.slice(from, quote);
        if (text[quote + 1] !== '"') {
          at = quote + 1;
          break;
        }
        cell += '"';
        from = quote + 2;
      }
    } else {
      const start = at;
      while (at < text.length && !',\r\n"'.includes(text[at] ?? "")) at++;
      if (text[at] === '"') throw new UnreadableInput(`CSV record ${records.length + 1}: a quote inside a bare cell`);
      cell = text.slice(start, at);
    }
    cells.push(cell);
    // After a cell: a comma and the next cell, or the record's end (CRLF, LF or the end of the text).
    if (text[at] === ",") {
      at += 1;
      if (at < text.length) continue;
      cells.push("");
    } else if (text.startsWith("\r\n", at)) {
      at += 2;
    } else if (text[at] === "\n") {
      at += 1;
    } else if (at < text.length) {
      throw new UnreadableInput(`CSV record ${records.length + 1}: a stray character after a cell`);
    }
    records.push(cells);
    cells = [];
  }
  return records;
}

// ---------------------------------------------------------------------------------------------------------
// The checks

export interface VerifyOptions {
  /** Verifier keys, `<name>+<key id>+<base64 key>`. */
  keys: string[];
  /** The text of an earlier checkpoint (a signed note) the export's checkpoint must extend. */
  previous?: string | undefined;
}

export interface VerifyReport {
  exitCode: 0 | 1 | 2;
  /** The first failure, if any, then the summary line. */
  lines: string[];
}

interface VerifiedLeaf {
  name: string;
  id: unknown;
  hash: Uint8Array;
}

interface Progress {
  rows: number;
  rowsVerified: number;
  checkpoint: Checkpoint | null;
}

/** Verifies an export (the file's text) against the given keys: the report names the first failure. */
export async function verifyExport(exportText: string, options: VerifyOptions): Promise<VerifyReport> {
  const progress: Progress = { rows: 0, rowsVerified: 0, checkpoint: null };
  try {
    const keys = await parseVerifierKeys(options.keys);
    const exported = readExport(exportText);
    progress.rows = exported.rows.length;
    if (exported.checkpoint === null) {
      for (const row of exported.rows) requireLeaf(row);
      fail("checkpoint: the CSV export has no rows, so it holds no checkpoint to verify");
    }
    const checkpoint = await openCheckpoint(exported.checkpoint, keys, "checkpoint");
    progress.checkpoint = checkpoint;
    const byLeaf = rowsByLeaf(exported.rows);
    const leaves = new Map<number, VerifiedLeaf>();
    for (const row of exported.rows) {
      const [leafIndex, leaf] = await verifyRow(row, exported.checkpoint, checkpoint, byLeaf);
      const other = leaves.get(leafIndex);
      if (other) fail(`row ${row.name} (leaf ${leafIndex}): leaf ${leafIndex} is row ${other.name}'s too`);
      leaves.set(leafIndex, leaf);
      progress.rowsVerified += 1;
    }
    verifyOrder(leaves);
    if (exported.complete) await verifyComplete(leaves, checkpoint);
    const previous =
      options.previous === undefined ? "" : await verifyPrevious(options.previous, keys, checkpoint, exported, leaves);
    return {
      exitCode: 0,
      lines: [`verified: ${summary(progress, true)}; ${scopeOf(exported, checkpoint)}${previous}`],
    };
  } catch (error) {
    if (error instanceof UnreadableInput) return { exitCode: 2, lines: [error.message] };
    if (!(error instanceof CheckFailed)) throw error;
    return { exitCode: 1, lines: [error.message, `NOT VERIFIED: ${summary(progress, false)}`] };
  }
}

function summary({ rows, rowsVerified, checkpoint }: Progress, verified: boolean): string {
  const counted = verified
    ? `${rows} row${rows === 1 ? "" : "s"}`
    : `${rowsVerified} of ${rows} rows verified before the failure`;
  if (!checkpoint) return `${counted}; checkpoint not verified`;
  return `${counted}; checkpoint ${checkpoint.origin} at size ${checkpoint.size}`;
}

function scopeOf(exported: ReadExport, checkpoint: Checkpoint): string {
  if (exported.complete) {
    return `complete export: all ${checkpoint.size} leaves present, their root is the checkpoint's`;
  }
  return `${exported.kind === "CSV" ? "CSV" : "filtered"} export: deleted rows show only in a complete JSON export`;
}

function requireLeaf(row: ExportedRow): { leafIndex: number; leaf: string; proof: string } {
  const { leafIndex, leaf, proof } = row;
  if (leafIndex === null) {
    fail(`row ${row.name} has no leaf although the checkpoint covers its id: it was added behind the log's back`);
  }
  if (leaf === null || proof === null) fail(`row ${row.name} (leaf ${leafIndex}): the export holds no leaf or proof`);
  return { leafIndex, leaf, proof };
}

/**
 * The rows by leaf index, read ahead: when a row's proof fails, its neighbour's tells which row
 * changed. A row edited alone fails alone (its neighbour's proof holds the leaf hash the log
 * stored for it). If the neighbour fails too, someone rewrote a row and the leaf hash stored for
 * it, and the export cannot tell which of the two.
 */
function rowsByLeaf(rows: ExportedRow[]): Map<number, ExportedRow> {
  const byLeaf = new Map<number, ExportedRow>();
  for (const row of rows) if (row.leafIndex !== null && !byLeaf.has(row.leafIndex)) byLeaf.set(row.leafIndex, row);
  return byLeaf;
}

/** Whether a row's own proof leads to the checkpoint's root (nothing else checked). */
async function proofHolds(row: ExportedRow, checkpoint: Checkpoint): Promise<boolean> {
  const bytes = row.leaf === null ? null : decodeBase64(row.leaf);
  const parsed = row.proof === null ? "no proof" : parseTlogProof(row.proof);
  if (!bytes || row.leafIndex === null || typeof parsed === "string") return false;
  return verifyInclusion(row.leafIndex, checkpoint.size, await hashLeaf(bytes), parsed.path, checkpoint.rootHash);
}

/** One row: its leaf records exactly this row, and its proof leads from the leaf to the checkpoint's root. */
async function verifyRow(
  row: ExportedRow,
  checkpointNote: string,
  checkpoint: Checkpoint,
  byLeaf: Map<number, ExportedRow>,
) {
  const { leafIndex, leaf, proof } = requireLeaf(row);
  const at = `row ${row.name} (leaf ${leafIndex})`;
  const leafBytes = decodeBase64(leaf);
  const recorded = leafBytes && readLeafRecord(leafBytes);
  if (!leafBytes || !recorded) fail(`${at}: its leaf is not a ${leafVersionLine.trim()} record in base64`);
  const differing = row.differingColumns(leafBytes, recorded);
  if (differing.length > 0) fail(`${at}: the row differs from what the log recorded: ${differing.join(", ")}`);
  const parsed = parseTlogProof(proof);
  if (typeof parsed === "string") fail(`${at}: its proof is not a c2sp.org/tlog-proof@v1 proof: ${parsed}`);
  if (parsed.index !== leafIndex) fail(`${at}: its proof is for leaf ${parsed.index}`);
  if (parsed.checkpoint !== checkpointNote) fail(`${at}: its proof ends with another checkpoint than the export's`);
  if (leafIndex >= checkpoint.size) fail(`${at}: the checkpoint holds only ${checkpoint.size} leaves`);
  const hash = await hashLeaf(leafBytes);
  if (!(await verifyInclusion(leafIndex, checkpoint.size, hash, parsed.path, checkpoint.rootHash))) {
    const sibling = leafIndex ^ 1;
    const neighbour = sibling < checkpoint.size ? byLeaf.get(sibling) : undefined;
    if (neighbour && !(await proofHolds(neighbour, checkpoint))) {
      fail(
        `rows ${row.name} and ${neighbour.name} (leaves ${leafIndex} and ${sibling}): neither proof leads to the checkpoint's root hash: both rows were changed (swapped, say), or one of them together with the leaf hash stored for it`,
      );
    }
    fail(`${at}: its inclusion proof does not lead to the checkpoint's root hash: the row or its proof was changed`);
  }
  return [leafIndex, { name: row.name, id: recorded.id, hash }] as const;
}

/** The log appends rows in id order, so along the leaves the ids rise. */
function verifyOrder(leaves: Map<number, VerifiedLeaf>) {
  const inLogOrder = [...leaves].sort(([a], [b]) => a - b);
  for (let position = 1; position < inLogOrder.length; position++) {
    const [earlierIndex, earlier] = inLogOrder[position - 1]!;
    const [index, leaf] = inLogOrder[position]!;
    if (!(Number(leaf.id) > Number(earlier.id))) {
      fail(
        `row ${leaf.name} (leaf ${index}) comes after row ${earlier.name} (leaf ${earlierIndex}) in the log: the log's order contradicts the ids`,
      );
    }
  }
}

/** A complete export: leaves 0..size-1 each once, and their root (RFC 9162 §2.1.1) is the checkpoint's. */
async function verifyComplete(leaves: Map<number, VerifiedLeaf>, checkpoint: Checkpoint) {
  for (let first = 0; first < checkpoint.size; first++) {
    if (leaves.has(first)) continue;
    let last = first;
    while (last + 1 < checkpoint.size && !leaves.has(last + 1)) last++;
    const where = placeBetween(leaves.get(first - 1), leaves.get(last + 1));
    fail(
      first === last
        ? `leaf ${first} is missing${where}: a row was deleted`
        : `leaves ${first} to ${last} are missing${where}: rows were deleted`,
    );
  }
  const hashes = [...leaves].sort(([a], [b]) => a - b).map(([, leaf]) => leaf.hash);
  if (!equalBytes(await rootOf(hashes), checkpoint.rootHash)) {
    fail(`checkpoint: the root of all ${checkpoint.size} leaves is not its root hash`);
  }
}

function placeBetween(before: VerifiedLeaf | undefined, after: VerifiedLeaf | undefined): string {
  if (before && after) return ` between rows ${before.name} and ${after.name}`;
  if (before) return ` after row ${before.name}`;
  return after ? ` before row ${after.name}` : "";
}

/** --previous: an earlier checkpoint of the same log, which the export's checkpoint must extend. */
async function verifyPrevious(
  note: string,
  keys: VerifierKey[],
  current: Checkpoint,
  exported: ReadExport,
  leaves: Map<number, VerifiedLeaf>,
) {
  const previous = await openCheckpoint(note, keys, "previous checkpoint");
  const [m, n] = [previous.size, current.size];
  const rewritten = "the log was rewritten since the previous checkpoint";
  if (previous.origin !== current.origin) {
    fail(`previous checkpoint: it is of the log ${previous.origin}, not ${current.origin}`);
  }
  if (m > n) {
    fail(`previous checkpoint: its size ${m} is larger than the export's checkpoint's (${n}): the log lost leaves`);
  }
  if (m === n && !equalBytes(previous.rootHash, current.rootHash)) {
    fail(`previous checkpoint: the same size (${n}) as the export's checkpoint but another root hash: ${rewritten}`);
  }
  if (m === 0 && !equalBytes(previous.rootHash, await hashEmptyTree())) {
    fail("previous checkpoint: its size is 0 but its root hash is not the empty tree's");
  }
  if (m === 0 || m === n) return `; the previous checkpoint (size ${m}) is consistent with it`;
  const proof = exported.consistency;
  if (proof) {
    if (proof.fromSize !== m || proof.toSize !== n) {
      fail(
        `previous checkpoint: the export's consistency proof is from size ${proof.fromSize} to ${proof.toSize}, not from ${m} to ${n}`,
      );
    }
    const path = proof.proof.map((hash) => (typeof hash === "string" ? decodeHash(hash) : null));
    if (path.some((hash) => hash === null)) {
      fail("previous checkpoint: the consistency proof holds a line that is not a hash");
    }
    if (!(await verifyConsistency(m, n, previous.rootHash, current.rootHash, path as Uint8Array[]))) {
      fail(`previous checkpoint: the consistency proof from size ${m} to ${n} does not hold: ${rewritten}`);
    }
  }
  if (exported.complete) {
    const firstLeaves = Array.from({ length: m }, (_, index) => leaves.get(index)?.hash ?? new Uint8Array());
    if (!equalBytes(await rootOf(firstLeaves), previous.rootHash)) {
      fail(`previous checkpoint: the root of the first ${m} leaves is not its root hash: ${rewritten}`);
    }
  } else if (!proof) {
    fail(
      `previous checkpoint: the ${exported.kind} export holds no consistency proof from size ${m}: export JSON with consistencyFrom=${m}`,
    );
  }
  return `; the previous checkpoint (size ${m}) is consistent with it`;
}

// ---------------------------------------------------------------------------------------------------------
// The command

export function parseArguments(argv: string[]): { exportPath: string; keys: string[]; previous: string | null } {
  const positional: string[] = [];
  const keys: string[] = [];
  let previous: string | null = null;
  for (let at = 0; at < argv.length; at++) {
    const argument = argv[at] ?? "";
    const [option, inline] = argument.startsWith("--") ? argument.split(/=(.*)/s, 2) : [argument, undefined];
    if (option !== "--key" && option !== "--previous") {
      if (argument.startsWith("--")) throw new UnreadableInput(`unknown option ${argument}`);
      positional.push(argument);
      continue;
    }
    const value = inline ?? argv[++at];
    if (!value) throw new UnreadableInput(`${option} needs a value`);
    if (option === "--key") keys.push(value);
    else if (previous === null) previous = value;
    else throw new UnreadableInput("--previous is given twice");
  }
  const [exportPath] = positional;
  if (positional.length !== 1 || !exportPath) throw new UnreadableInput("give exactly one export file");
  if (keys.length === 0) throw new UnreadableInput("give the log's verifier key with --key");
  return { exportPath, keys, previous };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return strictUtf8.decode(await readFile(path)).replace(/^\uFEFF/, "");
  } catch (error) {
    throw new UnreadableInput(`cannot read ${what} ${path}: ${error instanceof Error ? error.message : error}`);
  }
}

/** --key is a verifier key, or a file of them, one per line (as the log publishes them). */
async function readKeys(value: string, cwd: string): Promise<string[]> {
  if (/^[^+\s]+\+[0-9a-f]{8}\+\S+$/.test(value)) return [value];
  const text = await readText(resolve(cwd, value), "the key file");
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** Runs the command; `cwd` is where relative paths start (npm runs scripts from the repository root). */
export async function runAuditVerify(argv: string[], cwd: string): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return 0;
  }
  try {
    const { exportPath, keys, previous } = parseArguments(argv);
    const keyTexts = (await Promise.all(keys.map((value) => readKeys(value, cwd)))).flat();
    const exportText = await readText(resolve(cwd, exportPath), "the export");
    const previousText =
      previous === null ? undefined : await readText(resolve(cwd, previous), "the previous checkpoint");
    const report = await verifyExport(exportText, { keys: keyTexts, previous: previousText });
    if (report.exitCode === 2) throw new UnreadableInput(report.lines.join("\n"));
    for (const line of report.lines) console.log(line);
    return report.exitCode;
  } catch (error) {
    console.error(`audit:verify: ${error instanceof UnreadableInput ? error.message : String(error)}`);
    console.error(usage);
    return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // npm runs the script from the repository root (scripts/gatehouse.sh too); INIT_CWD is where npm was started.
  process.exitCode = await runAuditVerify(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
}
