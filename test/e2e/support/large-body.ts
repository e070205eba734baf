// Oversized request bodies, sent with node:http rather than fetch: a server that refuses a body
// early answers while the client is still writing, and node:http hands over that answer (a write
// error after it is expected and ignored). Three ways: with a Content-Length, chunked (no
// Content-Length), and chunked with the body left open, which only a server that stops reading at
// its limit can answer at all.
import { request } from "node:http";
import type { HttpClient } from "./http";
import { currentRun } from "./run";

export type BodyDelivery = "content-length" | "chunked" | "chunked, left open";

export interface LargeBodyAnswer {
  status: number;
  contentType: string;
  text: string;
  milliseconds: number;
  /** Set when no answer came: the connection failed, or nothing arrived within the time allowed. */
  failure?: string;
}

const chunkBytes = 16 * 1024;

export function sendLargeBody(
  client: HttpClient,
  method: string,
  path: string,
  init: { headers: Record<string, string>; body: Buffer; delivery: BodyDelivery; timeoutMs: number },
): Promise<LargeBodyAnswer> {
  const url = new URL(path, currentRun().baseUrl);
  const headers: Record<string, string> = { ...init.headers };
  if (client.cookies.size > 0)
    headers.cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  if (init.delivery === "content-length") headers["content-length"] = String(init.body.length);
  // Node chunks a body by default for POST, PUT and PATCH only: a DELETE would go out with no
  // framing at all, and the server would rightly see no body.
  else headers["transfer-encoding"] = "chunked";
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: Omit<LargeBodyAnswer, "milliseconds">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing.destroy();
      resolve({ ...answer, milliseconds: Date.now() - started });
    };
    const outgoing = request(url.href, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        finish({
          status: response.statusCode ?? 0,
          contentType: String(response.headers["content-type"] ?? ""),
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      response.on("error", (error) =>
        finish({ status: response.statusCode ?? 0, contentType: "", text: "", failure: error.message }),
      );
    });
    const timer = setTimeout(
      () =>
        finish({
          status: 0,
          contentType: "",
          text: "",
          failure: `no answer within ${init.timeoutMs} ms (${init.delivery})`,
        }),
      init.timeoutMs,
    );
    // A write that fails because the server already answered and closed is the expected case.
    outgoing.on("error", (error) =>
      setTimeout(() => finish({ status: 0, contentType: "", text: "", failure: error.message }), 200),
    );
    if (init.delivery === "content-length") {
      outgoing.end(init.body);
      return;
    }
    for (let offset = 0; offset < init.body.length; offset += chunkBytes)
      outgoing.write(init.body.subarray(offset, offset + chunkBytes));
    if (init.delivery === "chunked") outgoing.end();
  });
}
