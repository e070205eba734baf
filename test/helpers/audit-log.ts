// The verifiable audit log in tests: the fixed keys (vitest.config.ts holds the signer key of the
// first), and RFC 9162's definitions written as the RFC states them — recursive, over every leaf —
// to check the stored tree's incremental answers against.
import { encodeBase64 } from "@oslojs/encoding";
import { hashChildren, hashEmptyTree } from "../../src/domain/audit/log-hashes";

/** The verifier key of the tests' AUDIT_SIGNING_KEYS. */
export const testVerifierKey = "gatehouse.test/audit+5499103f+AYeQOP+mIgD+sReoQKTTAPo3OFCdpT7e/RcDl9wAU6Fk";
/** Another key of the same log, for rotation: its signer and verifier forms. */
export const otherSignerKey = "PRIVATE+KEY+gatehouse.test/audit+af1f158a+ATdRCPGYdu3FJUU661exXfyamHVS74VW10KGcHuBaXhd";
export const otherVerifierKey = "gatehouse.test/audit+af1f158a+ARAjqNQbaowYgw+nyjJtpNbd3TAzRYd3xvI+Pw9Lzq8B";

function splitPointOf(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 9162 §2.1.1 MTH(D[n]). */
export async function referenceRoot(leafHashes: Uint8Array[]): Promise<Uint8Array> {
  if (leafHashes.length === 0) return hashEmptyTree();
  if (leafHashes.length === 1) return leafHashes[0] as Uint8Array;
  const k = splitPointOf(leafHashes.length);
  return hashChildren(await referenceRoot(leafHashes.slice(0, k)), await referenceRoot(leafHashes.slice(k)));
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]), base64. */
export async function referencePath(m: number, leafHashes: Uint8Array[]): Promise<string[]> {
  const n = leafHashes.length;
  if (n <= 1) return [];
  const k = splitPointOf(n);
  if (m < k)
    return [
      ...(await referencePath(m, leafHashes.slice(0, k))),
      encodeBase64(await referenceRoot(leafHashes.slice(k))),
    ];
  return [
    ...(await referencePath(m - k, leafHashes.slice(k))),
    encodeBase64(await referenceRoot(leafHashes.slice(0, k))),
  ];
}

/** RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b), base64. */
async function referenceSubproof(m: number, leafHashes: Uint8Array[], whole: boolean): Promise<string[]> {
  const n = leafHashes.length;
  if (m === n) return whole ? [] : [encodeBase64(await referenceRoot(leafHashes))];
  const k = splitPointOf(n);
  if (m <= k) {
    return [
      ...(await referenceSubproof(m, leafHashes.slice(0, k), whole)),
      encodeBase64(await referenceRoot(leafHashes.slice(k))),
    ];
  }
  return [
    ...(await referenceSubproof(m - k, leafHashes.slice(k), false)),
    encodeBase64(await referenceRoot(leafHashes.slice(0, k))),
  ];
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]). */
export function referenceConsistency(m: number, leafHashes: Uint8Array[]): Promise<string[]> {
  return referenceSubproof(m, leafHashes, true);
}
