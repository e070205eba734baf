/** The QR code of a new TOTP secret, and the key to type by hand when scanning is not possible. */
export function TotpQrFigure({ qrSvg, secret }: { qrSvg: string; secret: string }) {
  const groupedSecret = secret.match(/.{1,4}/g)?.join(" ") ?? secret;
  return (
    <figure class="qr">
      {/* The SVG is generated on the server by uqr from our own otpauth URI: no user markup. */}
      <div dangerouslySetInnerHTML={{ __html: qrSvg }} />
      <figcaption>
        Can't scan it? Enter this key by hand (time-based, SHA-1, 6 digits, 30 seconds):
        <br />
        <code class="secret" id="totp-secret">
          {groupedSecret}
        </code>
      </figcaption>
    </figure>
  );
}
