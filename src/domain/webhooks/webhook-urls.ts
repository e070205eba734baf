// Where a webhook may be sent (docs/EVENTS.md "Safety"). A Worker has no DNS resolver, so a name
// cannot be checked for the address it resolves to: what can be refused is refused here, by the
// URL as written and as the URL parser canonicalises it (0x7f.1 and 2130706433 become 127.0.0.1):
// plain http (unless APP_ORIGIN itself is loopback, for local use), credentials in the URL, IP
// literals in loopback, private, link-local, shared, multicast and reserved ranges, localhost and
// other local-only names, and single-label names. Redirects are never followed when delivering
// (domain/webhooks/webhook-delivery.ts), so an allowed URL cannot bounce a request inward.

const maximumUrlLength = 2000;

// [first address, prefix length]
const refusedIpv4Ranges: ReadonlyArray<readonly [string, number]> = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 3],
];

const localOnlyNameSuffixes = [".localhost", ".local", ".internal", ".home.arpa", ".lan"];

function ipv4ToNumber(address: string): number | null {
  const parts = address.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return null;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

// [first address, number of addresses], worked out once.
const refusedIpv4Blocks = refusedIpv4Ranges.map(([first, prefix]): readonly [number, number] => [
  ipv4ToNumber(first) ?? 0,
  2 ** (32 - prefix),
]);

function isRefusedIpv4(address: number): boolean {
  return refusedIpv4Blocks.some(([start, size]) => address >= start && address < start + size);
}

/**
 * Only global unicast IPv6 (2000::/3) is allowed, without the ranges that carry or stand for
 * another address: Teredo 2001::/32, documentation 2001:db8::/32 and 6to4 2002::/16 (which embeds
 * an IPv4 address, private ones included).
 */
function isRefusedIpv6(literal: string): boolean {
  const groups = literal.split(":");
  const firstGroup = groups[0] === "" ? 0 : Number.parseInt(groups[0] ?? "", 16);
  if (firstGroup < 0x2000 || firstGroup > 0x3fff || firstGroup === 0x2002) return true;
  return firstGroup === 0x2001 && (groups[1] === "" || groups[1] === "0" || groups[1] === "db8");
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Whether APP_ORIGIN is this machine: then http and loopback receivers are allowed (npm start, tests). */
export function isLoopbackOrigin(appOrigin: string): boolean {
  return isLoopbackHost(new URL(appOrigin).hostname);
}

/** Why this URL cannot receive webhooks, or null when it can. */
export function findWebhookUrlProblem(value: string, appOrigin: string): string | null {
  if (value.length > maximumUrlLength) return `Use a URL of at most ${maximumUrlLength} characters.`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Enter a full URL, such as https://hooks.example.com/gatehouse.";
  }
  const local = isLoopbackOrigin(appOrigin);
  if (url.protocol !== "https:" && !(local && url.protocol === "http:")) {
    return local ? "Use an https:// or http:// URL." : "Use an https:// URL.";
  }
  if (url.username || url.password) return "Leave credentials out of the URL; verify deliveries by their signature.";
  // "localhost." and "intranet." are the same names as without the final dot.
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (local && isLoopbackHost(host)) return null;
  const ipv4 = ipv4ToNumber(host);
  if (ipv4 !== null) return isRefusedIpv4(ipv4) ? "This address is private, local or reserved." : null;
  if (host.startsWith("["))
    return isRefusedIpv6(host.slice(1, -1)) ? "This address is private, local or reserved." : null;
  if (host === "localhost" || localOnlyNameSuffixes.some((suffix) => host.endsWith(suffix))) {
    return "This name only exists on a local network.";
  }
  if (!host.includes(".")) return "Use a full host name with a domain, such as hooks.example.com.";
  return null;
}
