// Only for bench/measure-d1-round-trip.ts: runs `rounds` D1 batches of `statements` single-row
// SELECTs inside one request, so the CPU read around the request is D1's cost per round trip.
interface Env {
  DB: D1Database;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const statements = Number(url.searchParams.get("statements") ?? 1);
    const rounds = Number(url.searchParams.get("rounds") ?? 1);
    await env.DB.prepare(
      "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT, a INTEGER, b INTEGER, c TEXT)",
    ).run();
    await env.DB.prepare(
      "INSERT OR IGNORE INTO t SELECT value, 'name ' || value, value, value * 2, 'some text' FROM json_each('[1,2,3,4,5,6,7,8,9,10]')",
    ).run();
    for (let round = 0; round < rounds; round++) {
      if (statements === 0) continue;
      await env.DB.batch(
        Array.from({ length: statements }, (_, i) => env.DB.prepare("SELECT * FROM t WHERE id = ?").bind((i % 10) + 1)),
      );
    }
    return new Response("ok");
  },
};
