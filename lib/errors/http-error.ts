/** The closed set of error codes an API answer can carry, and their HTTP statuses. */
export const ERROR_STATUS = {
  malformed_json: 400,
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  /** A well-formed user_id no account has (Supabase): the event cannot be stored. */
  unknown_user: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

const TITLES: Record<ErrorCode, string> = {
  malformed_json: "Malformed JSON",
  bad_request: "Bad request",
  unauthenticated: "Authentication required",
  forbidden: "Forbidden",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  validation_failed: "Validation failed",
  unknown_user: "Unknown user",
  rate_limited: "Too many requests",
  internal: "Internal server error",
  unavailable: "Service unavailable",
};

/** One field's problem: `path` is dotted (`lines.3`), `message` says what to do. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The one error type of the HTTP layer. Throw it anywhere below a route; the
 * route wrapper turns it into an RFC 9457 problem+json answer.
 */
// Next bundles a module once per entry (instrumentation, each route), so an
// error thrown by the shared context's authenticator is an instance of another
// copy of this class. A registry-wide symbol brand makes `instanceof` hold
// across copies.
const BRAND = Symbol.for("training-alerts.HttpError");

export class HttpError extends Error {
  override name = "HttpError";
  readonly status: number;
  readonly title: string;
  readonly [BRAND] = true;

  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as { [BRAND]?: unknown })[BRAND] === true
    );
  }

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.status = ERROR_STATUS[code];
    this.title = TITLES[code];
  }

  /** A 422 naming one field. */
  static field(path: string, message: string): HttpError {
    return new HttpError("validation_failed", `${path}: ${message}`, {
      errors: [{ path, message }],
    });
  }
}
