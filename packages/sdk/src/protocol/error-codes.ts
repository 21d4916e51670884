/**
 * Every failure the protocol can report, shared by SDK and server so both name a failure alike.
 *
 * - `MALFORMED`: a frame or message could not be decoded, or its fields have the wrong shape.
 * - `UNSUPPORTED`: a protocol version this side does not speak.
 * - `UNKNOWN_METHOD`: a signaling request or RPC method nobody handles.
 * - `NOT_JOINED` / `ALREADY_JOINED`: a request out of order with `join`.
 * - `INVALID_TOKEN` / `TOKEN_EXPIRED`: the access token is bad or too old.
 * - `PERMISSION_DENIED`: the token's grants do not allow this.
 * - `UNKNOWN_TARGET`: a target peer is not in the room.
 * - `MESSAGE_TOO_LARGE`: above the negotiated maximum message size.
 * - `RATE_LIMITED`: the sender exceeded its message rate.
 * - `RESUME_FAILED`: a session could not be resumed (expired or unknown).
 * - `NOT_FOUND`: a room, peer or transport that does not exist.
 * - `TIMEOUT`: no answer in time.
 * - `PEER_LEFT`: the peer an RPC or a direct channel was waiting for left the room.
 * - `REFUSED`: the peer declined a direct channel.
 * - `HANDLER_ERROR`: a remote RPC handler threw.
 * - `DISCONNECTED`: the connection to the server is gone.
 * - `UNAVAILABLE`: the server cannot serve this right now (its media worker is restarting, or
 *   the cluster's Redis is unreachable); retrying shortly, or on another server, may succeed.
 * - `INTERNAL`: a server fault; details are in the server's log.
 * - `CANCELLED`: a stream was cancelled by its sender or one of its receivers.
 * - `STREAM_LIMIT`: a stream would exceed the server's limits on open streams per peer or
 *   bytes per stream.
 *
 * `UNREACHABLE` and the `DEVICE_*` codes never travel on the wire. The SDK reports
 * `UNREACHABLE` when it cannot open the signaling WebSocket at all (`ConnectionError`, whose
 * `reason` says why), and the `DEVICE_*` codes when it cannot open a camera, microphone or screen
 * (`MediaDeviceError`).
 *
 * - `DEVICE_DENIED`: the user or the browser's policy refused access (`NotAllowedError`).
 * - `DEVICE_NOT_FOUND`: no such device, or none that satisfies the constraints
 *   (`NotFoundError`, `OverconstrainedError`).
 * - `DEVICE_BUSY`: the device exists but could not be started, e.g. another application holds
 *   it (`NotReadableError`, `AbortError`).
 * - `DEVICE_UNSUPPORTED`: this environment cannot capture at all (no `navigator.mediaDevices`,
 *   e.g. an insecure page or Node), or refused for another reason.
 *
 * `ICE_LOOPBACK_ONLY` never travels on the wire either: the SDK reports it (`IceLoopbackError`)
 * when ICE to the server failed and every address the server announced is a loopback address,
 * which Firefox ignores by default and other machines cannot reach.
 *
 * The `E2EE_*` codes never travel on the wire either: the server cannot read what they are about.
 *
 * - `E2EE_NO_KEY`: end-to-end encryption is on and the key provider has no key to encrypt with.
 * - `E2EE_DECRYPTION_FAILED`: a payload could not be decrypted (no key with its ID for its
 *   sender, a wrong key, altered bytes, or a payload sent without encryption).
 */
export type ErrorCode =
  | 'MALFORMED'
  | 'UNSUPPORTED'
  | 'UNKNOWN_METHOD'
  | 'NOT_JOINED'
  | 'ALREADY_JOINED'
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'PERMISSION_DENIED'
  | 'UNKNOWN_TARGET'
  | 'MESSAGE_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'RESUME_FAILED'
  | 'NOT_FOUND'
  | 'TIMEOUT'
  | 'PEER_LEFT'
  | 'REFUSED'
  | 'HANDLER_ERROR'
  | 'DISCONNECTED'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  | 'CANCELLED'
  | 'STREAM_LIMIT'
  | 'UNREACHABLE'
  | 'DEVICE_DENIED'
  | 'DEVICE_NOT_FOUND'
  | 'DEVICE_BUSY'
  | 'DEVICE_UNSUPPORTED'
  | 'ICE_LOOPBACK_ONLY'
  | 'E2EE_NO_KEY'
  | 'E2EE_DECRYPTION_FAILED';

/** An error as it travels on the wire. */
export interface WireError {
  code: ErrorCode;
  message: string;
}

/** A failure with a stable {@link ErrorCode}; base class of the SDK's and the server's errors. */
export class SwitchboardError extends Error {
  /** Stable identifier of the failure. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SwitchboardError';
    this.code = code;
  }

  /** The wire form of this error. */
  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}

/** A frame or message that could not be decoded or has the wrong shape. */
export class ProtocolError extends SwitchboardError {
  constructor(code: 'MALFORMED' | 'UNSUPPORTED', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ProtocolError';
  }
}
