// The header and cookie rules of docs/SECURITY.md ("Headers and errors", "Sessions"), as functions that
// return what is wrong, so the browser recorder and the HTTP sweep check every response alike.

export interface HeaderCheckInput {
  url: string;
  status: number;
  /** Lower-cased header names; repeated headers joined with "\n" (Set-Cookie). */
  headers: Record<string, string>;
}

const requiredCspDirectives = ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"];
const minimumHstsSeconds = 31_536_000;

// The Outbox's email preview is the one framable answer (src/http/security-headers.ts): a sandbox
// with no allow-* token, nothing loaded but inline styles and data: images, framed by Gatehouse only.
const emailPreviewPath = /^\/admin\/outbox\/[^/]+\/preview$/;
const requiredPreviewCspDirectives = ["sandbox;", "default-src 'none'", "base-uri 'none'", "frame-ancestors 'self'"];

function emailPreviewProblems(where: string, csp: string, headers: Record<string, string>): string[] {
  const problems = requiredPreviewCspDirectives
    .filter((directive) => !csp.includes(directive))
    .map((directive) => `${where}: preview CSP lacks ${directive}`);
  if (/allow-|script-src|unsafe-eval|unsafe-hashes/.test(csp)) problems.push(`${where}: preview CSP too wide: ${csp}`);
  if (csp.replace(/style-src 'unsafe-inline'/, "").includes("unsafe-inline"))
    problems.push(`${where}: preview CSP allows inline code beyond styles: ${csp}`);
  if (headers["x-frame-options"] !== "SAMEORIGIN") problems.push(`${where}: preview X-Frame-Options is not SAMEORIGIN`);
  return problems;
}

export function securityHeaderProblems({ url, status, headers }: HeaderCheckInput): string[] {
  const problems: string[] = [];
  const where = `${status} ${new URL(url).pathname}`;
  const csp = headers["content-security-policy"] ?? "";
  if (!csp) problems.push(`${where}: no Content-Security-Policy`);
  if (status === 200 && emailPreviewPath.test(new URL(url).pathname)) {
    problems.push(...emailPreviewProblems(where, csp, headers));
  } else {
    for (const directive of requiredCspDirectives) {
      if (!csp.includes(directive)) problems.push(`${where}: CSP lacks ${directive}`);
    }
    if (/unsafe-inline|unsafe-eval|unsafe-hashes/.test(csp))
      problems.push(`${where}: CSP allows unsafe sources: ${csp}`);
  }
  if (/(^|;)\s*script-src[^;]*(\*|data:|https?:)/.test(csp))
    problems.push(`${where}: CSP script-src is wider than 'self': ${csp}`);
  if (headers["x-content-type-options"] !== "nosniff") problems.push(`${where}: X-Content-Type-Options is not nosniff`);
  const hsts = /max-age=(\d+)/.exec(headers["strict-transport-security"] ?? "");
  if (!hsts || Number(hsts[1]) < minimumHstsSeconds) problems.push(`${where}: HSTS missing or shorter than a year`);
  // The audit log's public verifier keys may be cached for 5 minutes like the static files
  // (src/routes/well-known.ts); every other answer is no-store.
  const { pathname } = new URL(url);
  const isStatic = pathname.startsWith("/static/") || pathname === "/.well-known/gatehouse-audit-keys";
  if (!isStatic && !/\bno-store\b/.test(headers["cache-control"] ?? ""))
    problems.push(`${where}: Cache-Control is not no-store`);
  if (headers["x-powered-by"]) problems.push(`${where}: X-Powered-By banner`);
  if (/\d/.test(headers.server ?? "")) problems.push(`${where}: Server header carries a version: ${headers.server}`);
  if (headers["access-control-allow-origin"])
    problems.push(`${where}: CORS header ${headers["access-control-allow-origin"]}`);
  return problems;
}

/** Every Set-Cookie must be __Host-, Secure, HttpOnly, SameSite=Lax, Path=/ and carry no Domain. */
export function setCookieProblems(url: string, setCookieLines: string[]): string[] {
  const problems: string[] = [];
  const path = new URL(url).pathname;
  for (const line of setCookieLines) {
    const [pair = "", ...rawAttributes] = line.split(";").map((part) => part.trim());
    const name = pair.slice(0, pair.indexOf("="));
    const attributes = rawAttributes.map((attribute) => attribute.toLowerCase());
    const has = (wanted: string) => attributes.includes(wanted);
    const expect = (ok: boolean, rule: string) => {
      if (!ok) problems.push(`${path}: cookie ${name} ${rule}`);
    };
    expect(name.startsWith("__Host-"), "has no __Host- prefix");
    expect(has("secure"), "is not Secure");
    expect(has("httponly"), "is not HttpOnly");
    expect(has("samesite=lax"), "is not SameSite=Lax");
    expect(has("path=/"), "is not Path=/");
    expect(!attributes.some((attribute) => attribute.startsWith("domain=")), "sets a Domain");
  }
  return problems;
}

export interface BrowserCookie {
  name: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string;
  domain: string;
}

/** The same rules, read from the browser's cookie jar (what chromium actually kept). */
export function cookieJarProblems(cookies: BrowserCookie[]): string[] {
  return cookies.flatMap((cookie) => {
    const wrong = [
      cookie.name.startsWith("__Host-") ? null : "has no __Host- prefix",
      cookie.secure ? null : "is not Secure",
      cookie.httpOnly ? null : "is not HttpOnly",
      cookie.sameSite === "Lax" ? null : `is SameSite=${cookie.sameSite}`,
      cookie.path === "/" ? null : `has Path=${cookie.path}`,
      cookie.domain.startsWith(".") ? "is sent to subdomains" : null,
    ].filter((problem): problem is string => problem !== null);
    return wrong.map((problem) => `browser cookie ${cookie.name} ${problem}`);
  });
}
