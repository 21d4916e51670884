/** Machine-readable codes for errors the server raises at start-up or run time. */
export type ServerErrorCode =
  | 'CONFIG_INVALID'
  | 'UWS_UNAVAILABLE'
  | 'LISTEN_FAILED'
  | 'WORKER_START_FAILED'
  | 'TLS_INVALID';

/** An error with a stable `code`, so operators and callers can branch on it without parsing text. */
export class ServerError extends Error {
  /** Stable identifier of the failure. */
  readonly code: ServerErrorCode;

  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerError';
    this.code = code;
  }
}
