// A loopback webhook receiver for the delivery tests (docs/TESTING.md "Services for tests"). The
// path says how to answer and which inbox records the request, so one receiver serves every test
// file at once: each test names inboxes of its own and reads them back with GET /inbox/<inbox>.
// Records live in memory for the life of the process.
import { createServer } from "node:http";

const port = Number(process.env.PORT);
const maxBodyBytes = 1024 * 1024;
const maxDelayMs = 60_000;
const inboxName = "([A-Za-z0-9_-]{1,64})";
const readPath = new RegExp(`^/inbox/${inboxName}$`);
// How to answer comes first, the inbox last: /ok/<inbox>, /status/410/<inbox>, /slow/2000/<inbox>.
const receivePath = new RegExp(`^/(ok|redirect|status/\\d{1,6}|fail-first/\\d{1,6}|slow/\\d{1,6})/${inboxName}$`);

/** @type {Map<string, object[]>} */
const inboxes = new Map();

function recordsOf(inbox) {
  if (!inboxes.has(inbox)) inboxes.set(inbox, []);
  return inboxes.get(inbox);
}

/** The body as a string, or undefined when it is larger than maxBodyBytes (the rest is still read and dropped). */
async function readBody(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size <= maxBodyBytes) chunks.push(chunk);
  }
  return size <= maxBodyBytes ? Buffer.concat(chunks).toString("utf8") : undefined;
}

function answer(response, status, headers = {}, body = undefined) {
  response.writeHead(status, headers);
  response.end(body);
}

async function handleRequest(request, response) {
  const path = request.url ?? "/";
  const pathname = path.split("?")[0];
  const read = request.method === "GET" && pathname.match(readPath);
  if (read) {
    const records = inboxes.get(read[1]) ?? [];
    return answer(response, 200, { "content-type": "application/json" }, JSON.stringify(records));
  }
  // Any method: a client that follows /redirect/'s 302 turns its POST into a GET, and that must be
  // recorded too, or a test would take "nothing arrived at -redirected" for "did not follow".
  const received = pathname.match(receivePath);
  if (!received) return answer(response, 404);
  const [action, argument] = received[1].split("/");
  const number = Number(argument);
  if (action === "status" && (number < 200 || number > 599)) return answer(response, 404);

  const body = await readBody(request);
  if (body === undefined) return answer(response, 413);
  const headers = Object.entries(request.headers).map(([key, value]) => [key, [value].flat().join(", ")]);
  const records = recordsOf(received[2]);
  records.push({ method: request.method, path, headers: Object.fromEntries(headers), body, receivedAt: Date.now() });

  switch (action) {
    case "ok":
      return answer(response, 204);
    case "status":
      return answer(response, number);
    case "fail-first":
      // Counts every request the inbox received, this one included.
      return answer(response, records.length <= number ? 500 : 204);
    case "redirect":
      return answer(response, 302, { location: `http://127.0.0.1:${port}/ok/${received[2]}-redirected` });
    case "slow": {
      const timer = setTimeout(() => answer(response, 204), Math.min(number, maxDelayMs));
      // A client that gives up closes the response early: then there is nobody left to answer.
      response.once("close", () => clearTimeout(timer));
      return;
    }
  }
}

const server = createServer((request, response) => {
  // A request whose body breaks off (the client went away) ends its own connection, not the receiver.
  handleRequest(request, response).catch(() => response.destroy());
});

server.listen(port, "127.0.0.1", () => {
  console.log(`webhook receiver listening on http://127.0.0.1:${port}`);
});
