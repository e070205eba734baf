// Copies stdin to stdout line by line with setup-link tokens replaced, so `npm start` can show
// wrangler's request log and the outbox's console copy without printing a live credential.
// (The one link printed on purpose, the first admin's, comes from the bootstrap step before this.)
import { createInterface } from "node:readline";

const setupToken = /\/setup\/[A-Za-z0-9_-]{43}/g;
const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
for await (const line of lines) process.stdout.write(`${line.replace(setupToken, "/setup/[setup token hidden]")}\n`);
