// Where a webhook may be sent (docs/EVENTS.md "Safety"): checked on the URL as written and as the
// URL parser canonicalises it, since a Worker has no resolver to ask where a name points.
import { describe, expect, it } from "vitest";
import { findWebhookUrlProblem, isLoopbackOrigin } from "../../../src/domain/webhooks/webhook-urls";

const publicOrigin = "https://gatehouse.example.com";
const loopbackOrigin = "http://localhost:8787";

describe("webhook URLs under a public APP_ORIGIN", () => {
  it.each([
    "https://hooks.example.com/x",
    "https://93.184.216.34/x",
    "https://[2606:4700::1111]/x",
    "https://hooks.example.com:8443/gatehouse?source=gatehouse",
  ])("allows %s", (url) => {
    expect(findWebhookUrlProblem(url, publicOrigin)).toBeNull();
  });

  it.each([
    ["http://hooks.example.com/x", "Use an https:// URL."],
    ["ftp://hooks.example.com/x", "Use an https:// URL."],
    ["hooks.example.com/x", "Enter a full URL, such as https://hooks.example.com/gatehouse."],
    [
      "https://user:secret@hooks.example.com/x",
      "Leave credentials out of the URL; verify deliveries by their signature.",
    ],
    ["https://user@hooks.example.com/x", "Leave credentials out of the URL; verify deliveries by their signature."],
  ])("refuses %s", (url, message) => {
    expect(findWebhookUrlProblem(url, publicOrigin)).toBe(message);
  });

  it.each([
    "https://10.1.2.3/x",
    "https://172.16.0.1/x",
    "https://172.31.255.255/x",
    "https://192.168.1.1/x",
    "https://127.0.0.1/x",
    "https://127.1.2.3/x",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/x",
    "https://0.0.0.0/x",
    "https://224.0.0.1/x",
    "https://[::1]/x",
    "https://[::]/x",
    "https://[fe80::1]/x",
    "https://[fc00::1]/x",
    "https://[fd12:3456::1]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://[::ffff:10.0.0.1]/x",
    "https://[2002:a00:1::]/x",
    "https://[2001:db8::1]/x",
    // Written as one number or in hex, canonicalised by the URL parser to 127.0.0.1.
    "https://2130706433/x",
    "https://0x7f.1/x",
    "https://0177.0.0.1/x",
  ])("refuses the private, local or reserved address %s", (url) => {
    expect(findWebhookUrlProblem(url, publicOrigin)).toBe("This address is private, local or reserved.");
  });

  it("refuses http://2130706433/ and http://0x7f.1/ for their scheme as well as their address", () => {
    expect(findWebhookUrlProblem("http://2130706433/", publicOrigin)).toBe("Use an https:// URL.");
    expect(findWebhookUrlProblem("http://0x7f.1/", publicOrigin)).toBe("Use an https:// URL.");
    expect(new URL("http://0x7f.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://2130706433/").hostname).toBe("127.0.0.1");
  });

  it.each([
    "https://localhost/x",
    "https://LOCALHOST:8443/x",
    "https://foo.localhost/x",
    "https://printer.local/x",
    "https://metadata.internal/x",
    "https://nas.home.arpa/x",
    "https://localhost./x",
    "https://foo.localhost./x",
    "https://metadata.google.internal./x",
  ])("refuses the local-only name %s", (url) => {
    expect(findWebhookUrlProblem(url, publicOrigin)).toBe("This name only exists on a local network.");
  });

  it("refuses a single-label name such as intranet, also written with a final dot", () => {
    for (const url of ["https://intranet/x", "https://intranet./x"]) {
      expect(findWebhookUrlProblem(url, publicOrigin)).toBe(
        "Use a full host name with a domain, such as hooks.example.com.",
      );
    }
  });

  it("refuses a URL longer than 2000 characters", () => {
    expect(findWebhookUrlProblem(`https://hooks.example.com/${"a".repeat(2000)}`, publicOrigin)).toBe(
      "Use a URL of at most 2000 characters.",
    );
  });
});

describe("webhook URLs under a loopback APP_ORIGIN (npm start, the tests)", () => {
  it("counts localhost, 127.x and [::1] origins as loopback, and nothing else", () => {
    expect(isLoopbackOrigin(loopbackOrigin)).toBe(true);
    expect(isLoopbackOrigin("http://127.0.0.1:8796")).toBe(true);
    expect(isLoopbackOrigin("http://[::1]:8787")).toBe(true);
    expect(isLoopbackOrigin(publicOrigin)).toBe(false);
    expect(isLoopbackOrigin("http://10.0.0.5:8787")).toBe(false);
  });

  it.each([
    "http://127.0.0.1:9999/",
    "http://localhost:9999/hook",
    "http://[::1]:9999/hook",
    "https://hooks.example.com/x",
  ])("allows %s", (url) => {
    expect(findWebhookUrlProblem(url, loopbackOrigin)).toBeNull();
  });

  it.each([
    ["http://10.0.0.1/x", "This address is private, local or reserved."],
    ["http://192.168.1.1/x", "This address is private, local or reserved."],
    ["http://169.254.169.254/x", "This address is private, local or reserved."],
    ["http://foo.localhost/x", "This name only exists on a local network."],
    ["http://intranet/x", "Use a full host name with a domain, such as hooks.example.com."],
    ["ftp://127.0.0.1/x", "Use an https:// or http:// URL."],
    ["http://user:pw@127.0.0.1:9999/", "Leave credentials out of the URL; verify deliveries by their signature."],
  ])("still refuses %s", (url, message) => {
    expect(findWebhookUrlProblem(url, loopbackOrigin)).toBe(message);
  });
});
