// The cookies Gatehouse sets, all __Host- (Secure, Path=/, no Domain), HttpOnly and SameSite=Lax.
// Session, challenge, setup and passkey carry random tokens; the server stores only their SHA-256. The
// flash cookie carries one message to the page after a form (http/flash.ts), sealed with
// SECRETS_KEYS, and lives one minute.
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { sessionAbsoluteLifetimeSeconds } from "../auth/session";
import { ceremonyTimeoutSeconds } from "../auth/webauthn";
import { challengeLifetimeSeconds } from "../domain/sign-in/sign-in";
import type { AppContext } from "./app-env";

const cookieNames = {
  session: "gatehouse_session",
  challenge: "gatehouse_challenge",
  setup: "gatehouse_setup",
  flash: "gatehouse_flash",
  passkey: "gatehouse_passkey",
} as const;
type CookieKind = keyof typeof cookieNames;

const maxAgeSeconds: Record<CookieKind, number> = {
  session: sessionAbsoluteLifetimeSeconds,
  challenge: challengeLifetimeSeconds,
  // The setup cookie only carries the link's token to a clean URL; the token's own expiry still rules.
  setup: 60 * 60,
  // Read on the very next page (the redirect's target); left unread, it dies within the minute.
  flash: 60,
  // Binds a "Sign in with a passkey" ceremony to this browser for as long as its challenge lives.
  passkey: ceremonyTimeoutSeconds,
};

export function readCookie(c: AppContext, kind: CookieKind): string | undefined {
  return getCookie(c, cookieNames[kind], "host");
}

export function writeCookie(c: AppContext, kind: CookieKind, value: string): void {
  setCookie(c, cookieNames[kind], value, {
    prefix: "host",
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    maxAge: maxAgeSeconds[kind],
  });
}

export function clearCookie(c: AppContext, kind: CookieKind): void {
  deleteCookie(c, cookieNames[kind], { prefix: "host", path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
}
