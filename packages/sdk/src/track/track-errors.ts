import { SwitchboardError } from '../protocol/index.js';

/**
 * Why the SDK refused a track operation, or why one failed on this side:
 *
 * - `PERMISSION_DENIED`: the token does not grant `publish` (or `subscribe`).
 * - `ALREADY_JOINED`: this peer already publishes a track with that name (the server's code for it).
 * - `MALFORMED`: a bad argument: an ended track, a track of the wrong kind, a bad layer number.
 * - `UNSUPPORTED`: this device cannot send or receive it: a codec it lacks, or a failure of the
 *   browser's WebRTC stack (`cause` holds the original error).
 * - `NOT_FOUND`: the track is gone (unpublished, stopped, unsubscribed) or not live right now.
 */
export type TrackErrorCode = 'PERMISSION_DENIED' | 'ALREADY_JOINED' | 'MALFORMED' | 'UNSUPPORTED' | 'NOT_FOUND';

/**
 * A track operation the SDK refused or that failed locally. Refusals by the server arrive as
 * {@link RequestError} instead, with the server's code (e.g. `PERMISSION_DENIED`).
 */
export class TrackError extends SwitchboardError {
  declare readonly code: TrackErrorCode;

  constructor(code: TrackErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TrackError';
  }
}

/** Why a camera, microphone or screen could not be opened (see {@link ErrorCode}). */
export type MediaDeviceErrorCode = 'DEVICE_DENIED' | 'DEVICE_NOT_FOUND' | 'DEVICE_BUSY' | 'DEVICE_UNSUPPORTED';

/** What {@link openCamera}, {@link openMicrophone} or {@link openScreen} tried to open. */
export type CaptureDevice = 'camera' | 'microphone' | 'screen';

/**
 * A camera, microphone or screen could not be opened. `cause` is the browser's own error
 * (a `DOMException` such as `NotAllowedError`).
 */
export class MediaDeviceError extends SwitchboardError {
  declare readonly code: MediaDeviceErrorCode;
  /** What was being opened. */
  readonly device: CaptureDevice;
  /** For `DEVICE_NOT_FOUND` from an `OverconstrainedError`: the constraint no device satisfies. */
  readonly constraint: string | undefined;

  constructor(code: MediaDeviceErrorCode, device: CaptureDevice, message: string, options?: { cause?: unknown; constraint?: string }) {
    super(code, message, options);
    this.name = 'MediaDeviceError';
    this.device = device;
    this.constraint = options?.constraint;
  }
}

/**
 * `error` as a {@link SwitchboardError}: typed errors (the server's refusals, disconnections)
 * pass through; anything else comes from the WebRTC stack and becomes `UNSUPPORTED`.
 */
export function asSwitchboardError(error: unknown, what: string): SwitchboardError {
  if (error instanceof SwitchboardError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TrackError('UNSUPPORTED', `${what}: ${reason}`, { cause: error });
}

/** A stats report without entries, for a track that sends or receives nothing right now. */
export function emptyStatsReport(): RTCStatsReport {
  // RTCStatsReport has no constructor; it is a read-only Map of stats by ID.
  return new Map() as RTCStatsReport;
}
