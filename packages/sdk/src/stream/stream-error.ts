import { SwitchboardError, type ErrorCode } from '../protocol/index.js';

/** Who ended a stream early. */
export type StreamEndedBy = 'sender' | 'receiver' | 'server' | 'connection';

/**
 * A stream that did not complete. `code` says why: `CANCELLED` (by its sender or a receiver; see
 * `by`), `PEER_LEFT` (the sender left mid-stream), `MALFORMED` (missing, repeated or unreadable
 * chunks), `DISCONNECTED`, or the server's refusal of one of its frames (`STREAM_LIMIT`,
 * `RATE_LIMITED`, `UNKNOWN_TARGET`, `PERMISSION_DENIED`, `UNAVAILABLE`).
 */
export class StreamError extends SwitchboardError {
  /** The stream's ID (unique per sender). */
  readonly streamId: number;
  /** Who ended it: its sender (or a fault in what it sent), a receiver, the server, or this side's connection. */
  readonly by: StreamEndedBy;

  constructor(code: ErrorCode, message: string, streamId: number, by: StreamEndedBy, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StreamError';
    this.streamId = streamId;
    this.by = by;
  }
}
