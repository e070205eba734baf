// The independent tools the suite checks the app with: Debian's chromium (driven by
// playwright-core, never a downloaded browser), oathtool (an authenticator that shares no code
// with the app's TOTP) and zbarimg (reads the QR code from a screenshot, as a phone would).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const chromiumPath = process.env.GATEHOUSE_CHROMIUM ?? "/usr/bin/chromium";

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

function hasCommand(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** The tools that are missing, each with the Debian package that provides it. */
export function missingTools(): string[] {
  const missing: string[] = [];
  if (!existsSync(chromiumPath))
    missing.push(`chromium (${chromiumPath}; Debian package "chromium", or set GATEHOUSE_CHROMIUM)`);
  if (!hasCommand("oathtool")) missing.push('oathtool (Debian package "oathtool")');
  if (!hasCommand("zbarimg")) missing.push('zbarimg (Debian package "zbar-tools")');
  return missing;
}

/** "2026-11-23 16:47:13 UTC", the form oathtool's --now reads. */
function oathTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** The six-digit code an authenticator shows for `secret` (base32) at `at`. */
export function totpCodeAt(secret: string, at: Date): string {
  return execFileSync("oathtool", ["--totp", "-b", secret, "--now", oathTime(at)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

/** Every QR code zbarimg finds in an image, decoded. */
export function decodeQrCodes(imagePath: string): string[] {
  // stderr is captured (and shown if zbarimg fails): without a D-Bus it complains on every run.
  const output = execFileSync("zbarimg", ["--quiet", "--raw", imagePath], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return output.split("\n").filter((line) => line.trim() !== "");
}
