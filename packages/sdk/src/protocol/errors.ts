/** Codes of protocol-level failures, shared by SDK and server so both name a failure alike. */
export type ProtocolErrorCode = 'MALFORMED' | 'UNSUPPORTED';

/** A frame or message could not be decoded or is not one this protocol version knows. */
export class ProtocolError extends Error {
  /** Stable identifier of the failure. */
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
