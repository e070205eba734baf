// The one error catalogue. Domain code throws AppError with a code; the HTTP layer turns it into
// RFC 9457 problem details for /api and an error page (or an inline form error) for pages.
// Human messages live here, keyed by code, so every surface says the same thing.

export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, title: "Some fields are not valid" },
  INVALID_JSON: { status: 400, title: "The request body is not valid JSON" },
  MEMBERSHIP_ROLE_UNFIT: { status: 400, title: "That membership role does not fit the user's global role" },
  UNAUTHENTICATED: { status: 401, title: "Sign in or send a valid API token" },
  SIGN_IN_FAILED: { status: 401, title: "The email, password or code is not right, or this account cannot sign in." },
  SIGN_IN_EXPIRED: { status: 401, title: "This sign-in attempt has ended. Start again with your email and password." },
  FORBIDDEN: { status: 403, title: "You are not allowed to do this" },
  RECENT_SIGN_IN_REQUIRED: { status: 403, title: "Confirm your password and code to continue" },
  NOT_FOUND: { status: 404, title: "Not found" },
  SETUP_LINK_INVALID: {
    status: 404,
    title: "This setup link is invalid or has expired. Ask your administrator for a new one.",
  },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed" },
  EMAIL_IN_USE: { status: 409, title: "Email already in use" },
  SLUG_TAKEN: { status: 409, title: "That slug is already taken" },
  GROUP_NAME_TAKEN: { status: 409, title: "An access group with that name already exists" },
  CLIENT_USER_CANNOT_JOIN_GROUPS: { status: 409, title: "CLIENT_USER accounts cannot join access groups" },
  DUPLICATE_MEMBERSHIP: { status: 409, title: "This user already has an active membership in that tenant" },
  LAST_SUPER_ADMIN: {
    status: 409,
    title: "There must always be at least one active SUPER_ADMIN. Promote someone else to SUPER_ADMIN first.",
  },
  ROLE_CONFLICTS_WITH_MEMBERSHIPS: { status: 409, title: "The new role does not fit the user's memberships" },
  INVITE_REFUSED: { status: 409, title: "This email address cannot be invited here. Ask your Gatehouse administrator for help." },
  STATE_CONFLICT: { status: 409, title: "The request conflicts with the current state" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "The request body is too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Send the body as application/json" },
  THROTTLED: { status: 429, title: "Too many attempts. Wait a little and try again." },
  INTERNAL: { status: 500, title: "Something went wrong on our side" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface FieldError {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  detail?: string;
  fieldErrors?: FieldError[];
  /** Extra members of the problem body, e.g. the conflicting memberships or the existing user's id. */
  extensions?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly fieldErrors: FieldError[];
  readonly extensions: Record<string, unknown>;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const entry = errorCatalogue[code];
    super(options.detail ?? entry.title);
    this.name = "AppError";
    this.code = code;
    this.status = entry.status;
    this.title = entry.title;
    this.detail = options.detail;
    this.fieldErrors = options.fieldErrors ?? [];
    this.extensions = options.extensions ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function fieldError(field: string, message: string, code: ErrorCode = "VALIDATION_FAILED"): AppError {
  return new AppError(code, { detail: message, fieldErrors: [{ field, message }] });
}
