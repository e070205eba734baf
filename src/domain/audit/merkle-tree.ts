// The audit log's Merkle tree (RFC 9162 §2.1), kept as the hashes of its perfect subtrees: the
// subtree of 2^level leaves starting at leaf index·2^level, once all its leaves exist. Appending
// leaf i stores at most log2(i)+1 of them and rewrites nothing, and the hash of any range the
// RFC's proofs need (a left part that is a power of two, a right part that is what remains) is a
// fold of at most log2(n) of them, so a proof reads O(log² n) stored hashes at worst and the tree
// is never rebuilt. Pure functions: domain/audit/audit-tree.ts reads and writes the hashes.
import { hashChildren, hashEmptyTree } from "./log-hashes";

/** A range of leaves [start, end); every range here starts at a multiple of a power of two ≥ its size. */
export interface LeafRange {
  start: number;
  end: number;
}

/** The stored key of a perfect subtree: its node's place in an in-order walk of the full tree. */
export function nodePosition(level: number, index: number): number {
  return index * 2 ** (level + 1) + 2 ** level - 1;
}

/** The largest power of two smaller than n (n > 1): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function largestPowerOfTwoAtMost(n: number): number {
  let k = 1;
  while (k * 2 <= n) k *= 2;
  return k;
}

/** The perfect subtrees that make up a range, largest (leftmost) first. */
export function perfectSubtreesOf(range: LeafRange): Array<{ level: number; index: number }> {
  const out: Array<{ level: number; index: number }> = [];
  let start = range.start;
  while (start < range.end) {
    const width = largestPowerOfTwoAtMost(range.end - start);
    out.push({ level: Math.log2(width), index: start / width });
    start += width;
  }
  return out;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): the ranges whose hashes form leaf m's audit path, leaf's sibling first. */
export function inclusionPathRanges(leafIndex: number, size: number): LeafRange[] {
  const path: LeafRange[] = [];
  let start = 0;
  let end = size;
  let m = leafIndex;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      path.push({ start: start + k, end });
      end = start + k;
    } else {
      path.push({ start, end: start + k });
      start += k;
      m -= k;
    }
  }
  return path.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) for 0 < m < n: the ranges of the consistency proof, in order. */
export function consistencyProofRanges(fromSize: number, toSize: number): LeafRange[] {
  if (fromSize <= 0 || fromSize >= toSize) return [];
  const proof: LeafRange[] = [];
  let start = 0;
  let end = toSize;
  let m = fromSize;
  let whole = true; // SUBPROOF's b: whether D[start:start+m] is the old tree itself
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      proof.push({ start: start + k, end });
      end = start + k;
    } else {
      proof.push({ start, end: start + k });
      start += k;
      m -= k;
      whole = false;
    }
  }
  if (!whole) proof.push({ start, end });
  return proof.reverse();
}

/** The stored positions a set of ranges needs. */
export function positionsOf(ranges: LeafRange[]): number[] {
  const positions = new Set<number>();
  for (const range of ranges) {
    for (const subtree of perfectSubtreesOf(range)) positions.add(nodePosition(subtree.level, subtree.index));
  }
  return [...positions];
}

/** MTH of a range (RFC 9162 §2.1.1) from its stored perfect subtrees, folded from the right. */
export async function hashRange(range: LeafRange, stored: ReadonlyMap<number, Uint8Array>): Promise<Uint8Array> {
  const hashes = perfectSubtreesOf(range).map((subtree) => {
    const hash = stored.get(nodePosition(subtree.level, subtree.index));
    if (!hash) throw new Error(`the audit tree has no node for leaves ${range.start}–${range.end - 1}`);
    return hash;
  });
  return foldFromRight(hashes);
}

/** RFC 9162's MTH of consecutive perfect subtrees, largest first: each joins what follows it. */
async function foldFromRight(subtreeHashes: readonly Uint8Array[]): Promise<Uint8Array> {
  const hashes = [...subtreeHashes];
  let folded = hashes.pop();
  if (!folded) return hashEmptyTree();
  for (let next = hashes.pop(); next; next = hashes.pop()) folded = await hashChildren(next, folded);
  return folded;
}

/** The perfect subtrees of a tree of `size` leaves, largest first: what appending needs to remember. */
export type Frontier = Uint8Array[];

export interface AppendResult {
  frontier: Frontier;
  /** Every perfect subtree the new leaves completed (leaves included), by stored position. */
  nodes: Array<{ position: number; hash: Uint8Array }>;
}

/** Appends leaf hashes to a tree of `size` leaves whose frontier is given. */
export async function appendLeaves(size: number, frontier: Frontier, leafHashes: Uint8Array[]): Promise<AppendResult> {
  // The frontier's subtrees are the set bits of size, largest first.
  const stack = perfectSubtreesOf({ start: 0, end: size }).map((subtree, i) => {
    const hash = frontier[i];
    if (!hash) throw new Error("the audit tree's frontier does not match its size");
    return { ...subtree, hash };
  });
  if (stack.length !== frontier.length) throw new Error("the audit tree's frontier does not match its size");
  const nodes: AppendResult["nodes"] = [];
  for (const [offset, hash] of leafHashes.entries()) {
    let top = { level: 0, index: size + offset, hash };
    nodes.push({ position: nodePosition(0, top.index), hash });
    for (let left = stack.at(-1); left && left.level === top.level; left = stack.at(-1)) {
      stack.pop();
      top = { level: top.level + 1, index: left.index / 2, hash: await hashChildren(left.hash, top.hash) };
      nodes.push({ position: nodePosition(top.level, top.index), hash: top.hash });
    }
    stack.push(top);
  }
  return { frontier: stack.map((subtree) => subtree.hash), nodes };
}

/** The root of the tree the frontier describes (MTH of all its leaves). */
export function rootOfFrontier(frontier: Frontier): Promise<Uint8Array> {
  return foldFromRight(frontier);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows the tree of `secondSize` leaves with root `secondRoot`
 * extends the one of `firstSize` leaves with root `firstRoot` (0 < firstSize ≤ secondSize). The
 * sealer checks its own tree this way before signing (audit-tree.ts): never two inconsistent checkpoints.
 */
export async function isConsistent(
  firstSize: number,
  secondSize: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: Uint8Array[],
): Promise<boolean> {
  if (firstSize === secondSize) return proof.length === 0 && bytesEqual(firstRoot, secondRoot);
  if (firstSize < 1 || firstSize > secondSize || proof.length === 0) return false;
  const path = Number.isInteger(Math.log2(firstSize)) ? [firstRoot, ...proof] : [...proof];
  let fn = firstSize - 1;
  let sn = secondSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  const [first, ...rest] = path;
  if (!first) return false;
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await hashChildren(c, fr);
      sr = await hashChildren(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return bytesEqual(fr, firstRoot) && bytesEqual(sr, secondRoot) && sn === 0;
}
