/**
 * Every error Threadline raises on purpose carries one of these codes. The table is the single place
 * that says how a code surfaces at an edge (HTTP status here; the CLI and job runner print the code).
 */
export const ERROR_CODES = {
  CONFIG_INVALID: { http: 500 },
  DB_UNREACHABLE: { http: 503 },
  SCHEMA_UPGRADE_FAILED: { http: 500 },
  VALIDATION_FAILED: { http: 400 },
  UNAUTHENTICATED: { http: 401 },
  FORBIDDEN: { http: 403 },
  NOT_FOUND: { http: 404 },
  CONFLICT: { http: 409 },
  /** Something that existed and is gone for good (a personal data export already downloaded or expired). */
  GONE: { http: 410 },
  PAYLOAD_TOO_LARGE: { http: 413 },
  UNSUPPORTED_MEDIA_TYPE: { http: 415 },
  RATE_LIMITED: { http: 429 },
  SECRET_INVALID: { http: 500 },
  DELIVERY_DEFERRED: { http: 503 },
  DELIVERY_FAILED: { http: 502 },
  IMAP_AUTH_FAILED: { http: 502 },
  IMAP_UNREACHABLE: { http: 502 },
  IMAP_FOLDER_MISSING: { http: 502 },
  IMAP_ERROR: { http: 502 },
  /** An inbox's OAuth2 grant no longer works (revoked, expired, refused): an admin must connect it again. */
  MAIL_RECONNECT_NEEDED: { http: 502 },
  /** The OAuth2 provider refused or failed a step of the connect flow (its error is in the message). */
  OAUTH_FAILED: { http: 502 },
  INTERNAL: { http: 500 },
  MAIL_UNPARSEABLE: { http: 422 },
  MAIL_TOO_LARGE: { http: 413 },
  /** An uploaded file the scan hook refused, or could not scan (attachments). */
  UPLOAD_REFUSED: { http: 422 },
  TEMPLATE_INVALID: { http: 500 },
} as const satisfies Record<string, { http: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected failure with a stable code; `details` is safe to show to the caller. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /**
   * The message's key in the `errors` catalog (`locales/<locale>/errors.json`) and its parameters: the
   * edges show people that text in their language; `message` stays the English text for logs.
   */
  readonly key: string | undefined;
  readonly params: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { details?: Record<string, unknown>; cause?: unknown; key?: string; params?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options?.details;
    this.key = options?.key;
    this.params = options?.params;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

/** True for an AppError with the given code (or any code when none is given). */
export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
