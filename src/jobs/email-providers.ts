// How an outbox row leaves the building, chosen by EMAIL_PROVIDER (src/env.ts validates it):
// - log: prints the message to the console (local development) as one JSON line. Setup-link
//   tokens are masked, because no secret may appear in a log line; the full message is on the
//   Outbox page.
// - http: a Resend-compatible HTTP API (POST EMAIL_API_URL, Bearer EMAIL_API_KEY, JSON body).
// - send_email: Cloudflare's send_email binding, with its structured message (no MIME needed).
// Every provider gets its envelope from toEnvelope: no control or direction character reaches a
// sender, recipient or subject, even from rows written before the text rules (docs/SECURITY.md
// "Text input"). A provider throws EmailDeliveryError; `permanent` tells the delivery job not to retry.
import { hasHeaderUnsafeCharacter, toHeaderLine } from "../domain/text";
import type { Bindings, Config } from "../env";
import { formatLogLine } from "../log";

export interface OutgoingEmail {
  /** The outbox row id: the HTTP provider sends it as the Idempotency-Key. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface EmailProvider {
  name: Config["EMAIL_PROVIDER"];
  send(message: OutgoingEmail): Promise<void>;
}

export class EmailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "EmailDeliveryError";
  }
}

export interface ProviderOptions {
  /** Injected by tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** Where the log provider writes; console.log otherwise. */
  log?: (line: string) => void;
}

const httpTimeoutMs = 10_000;
const setupTokenPattern = /\/setup\/[A-Za-z0-9_-]{43}/g;

/** Replaces setup-link tokens, the one secret our emails carry, before anything is logged or stored as an error. */
export function maskSetupTokens(text: string): string {
  return text.replace(setupTokenPattern, "/setup/[setup token hidden]");
}

/** "Gatehouse <gatehouse@example.com>" → { name, email }; a bare address stays as it is. */
export function parseSender(from: string): string | { name: string; email: string } {
  const match = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  if (!match?.[2]) return from.trim();
  return match[1] ? { name: match[1].replace(/^"|"$/g, ""), email: match[2] } : match[2];
}

/** The sender, recipient and subject as they may leave: one line each; a recipient that needs cleaning is refused. */
function toEnvelope(config: Config, message: OutgoingEmail) {
  if (hasHeaderUnsafeCharacter(message.to))
    throw new EmailDeliveryError("the recipient address contains a control character", true);
  return { from: toHeaderLine(config.EMAIL_FROM), to: message.to, subject: toHeaderLine(message.subject) };
}

function createLogProvider(config: Config, log: (line: string) => void): EmailProvider {
  return {
    name: "log",
    async send(message) {
      const { to, subject } = toEnvelope(config, message);
      log(formatLogLine("info", "email_printed", { id: message.id, to, subject, text: maskSetupTokens(message.text) }));
    },
  };
}

/** 408, 429 and 5xx are worth retrying; any other 4xx will fail the same way again. */
function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function createHttpProvider(config: Config, fetchImpl: typeof fetch): EmailProvider {
  return {
    name: "http",
    async send(message) {
      const envelope = toEnvelope(config, message);
      let response: Response;
      try {
        response = await fetchImpl(config.EMAIL_API_URL, {
          method: "POST",
          headers: {
            authorization: `Bearer ${config.EMAIL_API_KEY ?? ""}`,
            "content-type": "application/json",
            // A retry after a lost answer must not send the mail twice (Resend keeps keys for 24 hours).
            "idempotency-key": message.id,
          },
          body: JSON.stringify({
            from: envelope.from,
            to: [envelope.to],
            subject: envelope.subject,
            text: message.text,
            html: message.html,
          }),
          signal: AbortSignal.timeout(httpTimeoutMs),
        });
      } catch (error) {
        throw new EmailDeliveryError(
          `email API unreachable: ${error instanceof Error ? error.message : String(error)}`,
          false,
        );
      }
      if (response.ok) return;
      const body = (await response.text().catch(() => "")).slice(0, 300);
      throw new EmailDeliveryError(
        `email API answered ${response.status}${body ? `: ${body}` : ""}`,
        isPermanentStatus(response.status),
      );
    },
  };
}

function createSendEmailProvider(config: Config, binding: SendEmail): EmailProvider {
  return {
    name: "send_email",
    async send(message) {
      const envelope = toEnvelope(config, message);
      try {
        await binding.send({
          from: parseSender(envelope.from),
          to: envelope.to,
          subject: envelope.subject,
          text: message.text,
          html: message.html,
        });
      } catch (error) {
        throw new EmailDeliveryError(
          `send_email refused: ${error instanceof Error ? error.message : String(error)}`,
          false,
        );
      }
    },
  };
}

export function createEmailProvider(
  config: Config,
  env: Pick<Bindings, "SEND_EMAIL">,
  options: ProviderOptions = {},
): EmailProvider {
  switch (config.EMAIL_PROVIDER) {
    case "log":
      return createLogProvider(config, options.log ?? ((line) => console.log(line)));
    case "http":
      return createHttpProvider(config, options.fetch ?? ((input, init) => fetch(input, init)));
    case "send_email":
      if (!env.SEND_EMAIL)
        throw new Error("Gatehouse configuration is invalid: EMAIL_PROVIDER=send_email needs a SEND_EMAIL binding");
      return createSendEmailProvider(config, env.SEND_EMAIL);
  }
}
