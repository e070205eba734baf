// A Worker that only verifies passwords, so the benchmark can read the KDF's CPU cost per hash
// from the workerd process without anything else in the way.
import { hashPassword, verifyPassword } from "../src/auth/password";

let stored: Promise<string> | undefined;

export default {
  async fetch(request: Request): Promise<Response> {
    stored ??= hashPassword("benchmark password, not a secret");
    const hash = await stored;
    const rounds = Math.min(1000, Number(new URL(request.url).searchParams.get("rounds") ?? "1"));
    for (let round = 0; round < rounds; round++) {
      if (!(await verifyPassword(hash, "benchmark password, not a secret")))
        return new Response("mismatch", { status: 500 });
    }
    return new Response(hash.split("$").slice(0, 4).join("$"));
  },
};
