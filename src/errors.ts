// The one error catalogue. Domain code throws AppError with a code; the HTTP layer turns it into
// RFC 9457 problem details for /api and, for pages, either the error page or the form again with the
// error next to its field. `form` is that choice, made once per code (docs/DECISIONS.md "Form
// refusals"). Human messages live here, keyed by code, so every surface says the same thing.

export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, title: "Some fields are not valid", form: true },
  INVALID_JSON: { status: 400, title: "The request body is not valid JSON", form: false },
  MEMBERSHIP_ROLE_UNFIT: { status: 400, title: "That membership role does not fit the user's global role", form: true },
  UNAUTHENTICATED: { status: 401, title: "Sign in or send a valid API token", form: false },
  SIGN_IN_FAILED: {
    status: 401,
    title: "The email, password or code is not right, or this account cannot sign in.",
    form: true,
  },
  // Only the code step says this: it is reached after the right password, so it reveals nothing
  // about which accounts exist (docs/SECURITY.md "Authenticators and assurance").
  SIGN_IN_CODE_REFUSED: {
    status: 401,
    title:
      "That code was not accepted: it is wrong or was already used. Each code works once, so if you just used it (to finish setting up or to sign in), wait for the next code in your app (a new one every 30 seconds) and enter that. You can also enter one of your recovery codes.",
    form: true,
  },
  SIGN_IN_EXPIRED: {
    status: 400,
    title: "This sign-in attempt has ended. Start again with your email and password.",
    form: true,
  },
  // Any refused passkey ceremony: why is in the audit log only (docs/PASSKEYS.md "Refusals").
  PASSKEY_REFUSED: {
    status: 401,
    title: "That passkey was not accepted. Try again, or use another way to sign in.",
    form: true,
  },
  FORBIDDEN: { status: 403, title: "You are not allowed to do this", form: false },
  // The role's policy requires a passkey and this session has none yet (docs/PASSKEYS.md "The policy").
  PASSKEY_ENROLMENT_REQUIRED: { status: 403, title: "Add a passkey to continue", form: false },
  RECENT_SIGN_IN_REQUIRED: { status: 403, title: "Confirm it's you to continue", form: false },
  NOT_FOUND: { status: 404, title: "Not found", form: false },
  SETUP_LINK_INVALID: {
    status: 404,
    title: "This setup link is invalid or has expired. Ask your administrator for a new one.",
    form: false,
  },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed", form: false },
  EMAIL_IN_USE: { status: 409, title: "Email already in use", form: true },
  SLUG_TAKEN: { status: 409, title: "That slug is already taken", form: true },
  GROUP_NAME_TAKEN: { status: 409, title: "An access group with that name already exists", form: true },
  CLIENT_USER_CANNOT_JOIN_GROUPS: { status: 409, title: "Client users cannot join access groups", form: true },
  DUPLICATE_MEMBERSHIP: { status: 409, title: "This user already has an active membership in that tenant", form: true },
  LAST_SUPER_ADMIN: {
    status: 409,
    title: "There must always be at least one active Super admin. Make someone else a Super admin first.",
    form: true,
  },
  ROLE_CONFLICTS_WITH_MEMBERSHIPS: {
    status: 409,
    title: "The new role does not fit the user's memberships",
    form: true,
  },
  INVITE_REFUSED: {
    status: 409,
    title: "This email address cannot be invited here. Ask your Gatehouse administrator for help.",
    form: true,
  },
  STATE_CONFLICT: { status: 409, title: "The request conflicts with the current state", form: true },
  PAYLOAD_TOO_LARGE: { status: 413, title: "The request body is too large", form: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Send the body as application/json", form: false },
  THROTTLED: { status: 429, title: "Too many attempts. Wait a little and try again.", form: true },
  // SCIM refusals (RFC 7644 §3.12): each answers with its scimType (src/http/scim.ts).
  SCIM_INVALID_FILTER: { status: 400, title: "The filter is not valid or not supported", form: false },
  SCIM_INVALID_SYNTAX: { status: 400, title: "The request is not a valid SCIM request", form: false },
  SCIM_INVALID_PATH: { status: 400, title: "The path is not valid", form: false },
  SCIM_INVALID_VALUE: { status: 400, title: "A value is missing or not valid", form: false },
  SCIM_MUTABILITY: { status: 400, title: "That attribute cannot be changed", form: false },
  SCIM_NO_TARGET: { status: 400, title: "The path matches nothing", form: false },
  SCIM_TOO_MANY: { status: 400, title: "The request asks for too much at once", form: false },
  SCIM_UNIQUENESS: { status: 409, title: "A user or group with this identifier already exists", form: false },
  INTERNAL: { status: 500, title: "Something went wrong on our side", form: false },
} as const satisfies Record<string, { status: number; title: string; form: boolean }>;

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

/**
 * Whether a page form shows this error next to its fields and stays open: its catalogue entry says
 * so, or it names a field (a refusal of what was typed there, such as a permission the actor may
 * not grant). Anything else — not signed in, not allowed, not found, a server error — is answered
 * by the error page (docs/DECISIONS.md "Form refusals").
 */
export function isFormRefusal(error: unknown): error is AppError {
  return error instanceof AppError && (errorCatalogue[error.code].form || error.fieldErrors.length > 0);
}
