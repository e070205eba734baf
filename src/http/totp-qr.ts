// The QR code of an otpauth URI, for setup and for adding an authenticator app from the account page.
import { renderSVG } from "uqr";
import { buildTotpUri } from "../auth/totp";

/** The SVG of the secret's otpauth URI: generated here from our own URI, never from user markup. */
export function renderTotpQrSvg(secret: string, email: string): string {
  return renderSVG(buildTotpUri(secret, email), { border: 2 }).replace(
    "<svg ",
    '<svg width="240" height="240" role="img" aria-label="QR code to scan with your authenticator app" ',
  );
}
