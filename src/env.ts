// Bindings and vars, validated once per isolate. A misconfiguration fails on the first request
// with a message that names the setting, instead of somewhere deep inside a handler.
import * as z from "zod";

export interface Bindings {
  DB?: D1Database;
  KV: KVNamespace;
  APP_ORIGIN: string;
  SETUP_TOKEN_TTL_SECONDS?: string;
  BOOTSTRAP_ADMIN_EMAIL?: string;
  EMAIL_PROVIDER?: string;
  EMAIL_FROM?: string;
  EMAIL_API_URL?: string;
  EMAIL_API_KEY?: string;
  SEND_EMAIL?: SendEmail;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
}

const configSchema = z.object({
  APP_ORIGIN: z.url({ protocol: /^https?$/ }).transform((value) => new URL(value).origin),
  SETUP_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(3600)
    .max(30 * 86400)
    .default(7 * 86400),
  BOOTSTRAP_ADMIN_EMAIL: z.email().default("admin@example.com"),
  EMAIL_PROVIDER: z.enum(["log", "http", "send_email"]).default("log"),
  EMAIL_FROM: z.string().min(3).default("Gatehouse <gatehouse@example.com>"),
  EMAIL_API_URL: z.url().default("https://api.resend.com/emails"),
  EMAIL_API_KEY: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;

const parsedConfigs = new WeakMap<object, Config>();

export function readConfig(env: Bindings): Config {
  const cached = parsedConfigs.get(env);
  if (cached) return cached;
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Gatehouse configuration is invalid: ${problems.join("; ")}`);
  }
  if (!env.KV) throw new Error("Gatehouse configuration is invalid: the KV binding is missing");
  if (result.data.EMAIL_PROVIDER === "http" && !result.data.EMAIL_API_KEY) {
    throw new Error("Gatehouse configuration is invalid: EMAIL_PROVIDER=http needs the EMAIL_API_KEY secret");
  }
  if (result.data.EMAIL_PROVIDER === "send_email" && !env.SEND_EMAIL) {
    throw new Error("Gatehouse configuration is invalid: EMAIL_PROVIDER=send_email needs a SEND_EMAIL binding");
  }
  parsedConfigs.set(env, result.data);
  return result.data;
}
