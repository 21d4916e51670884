import type { TrackSource } from '../protocol/index.js';
import { MediaDeviceError, type CaptureDevice, type MediaDeviceErrorCode } from './track-errors.js';

/**
 * What the helpers below opened, so that `publish` can tell a camera from a screen without the
 * caller repeating it. Weak: a forgotten track must not be kept alive by this.
 */
const capturedSources = new WeakMap<MediaStreamTrack, TrackSource>();

/** The source a helper of this module recorded for `track`, if it opened it. */
export function capturedSource(track: MediaStreamTrack): TrackSource | undefined {
  return capturedSources.get(track);
}

/**
 * Opens the camera and returns its video track, ready for `room.publish`. Rejects with
 * {@link MediaDeviceError}: `DEVICE_DENIED`, `DEVICE_NOT_FOUND`, `DEVICE_BUSY` or
 * `DEVICE_UNSUPPORTED`.
 *
 * @example
 * ```ts
 * const camera = await room.publish(await openCamera({ width: 1280, height: 720 }));
 * ```
 */
export async function openCamera(constraints: MediaTrackConstraints = {}): Promise<MediaStreamTrack> {
  return capture('camera', (devices) => devices.getUserMedia({ video: constraints }));
}

/** Opens the microphone and returns its audio track; rejects like {@link openCamera}. */
export async function openMicrophone(constraints: MediaTrackConstraints = {}): Promise<MediaStreamTrack> {
  return capture('microphone', (devices) => devices.getUserMedia({ audio: constraints }));
}

/**
 * Asks the user for a screen, window or tab to share and returns its video track (the screen's
 * audio is not captured). Must be called from a user gesture, e.g. a click handler. Rejects like
 * {@link openCamera}; `DEVICE_DENIED` also when the user closes the picker.
 */
export async function openScreen(constraints: MediaTrackConstraints = {}): Promise<MediaStreamTrack> {
  return capture('screen', (devices) => devices.getDisplayMedia({ video: constraints, audio: false }));
}

async function capture(device: CaptureDevice, open: (devices: MediaDevices) => Promise<MediaStream>): Promise<MediaStreamTrack> {
  const devices = globalThis.navigator?.mediaDevices;
  const method = device === 'screen' ? 'getDisplayMedia' : 'getUserMedia';
  if (typeof devices?.[method] !== 'function') {
    throw new MediaDeviceError('DEVICE_UNSUPPORTED', device, `cannot open the ${device}: navigator.mediaDevices.${method} is not available (an insecure page, or not a browser)`);
  }
  let stream: MediaStream;
  try {
    stream = await open(devices);
  } catch (error) {
    throw deviceError(device, error);
  }
  const [track, ...extra] = device === 'microphone' ? stream.getAudioTracks() : stream.getVideoTracks();
  for (const other of extra) other.stop();
  if (track === undefined) throw new MediaDeviceError('DEVICE_NOT_FOUND', device, `the ${device} gave no track`);
  capturedSources.set(track, device);
  return track;
}

// The names browsers give getUserMedia/getDisplayMedia failures; older ones in the second column.
const CODES_BY_NAME: Record<string, MediaDeviceErrorCode> = {
  NotAllowedError: 'DEVICE_DENIED',
  SecurityError: 'DEVICE_DENIED',
  PermissionDeniedError: 'DEVICE_DENIED',
  NotFoundError: 'DEVICE_NOT_FOUND',
  OverconstrainedError: 'DEVICE_NOT_FOUND',
  DevicesNotFoundError: 'DEVICE_NOT_FOUND',
  ConstraintNotSatisfiedError: 'DEVICE_NOT_FOUND',
  NotReadableError: 'DEVICE_BUSY',
  AbortError: 'DEVICE_BUSY',
  TrackStartError: 'DEVICE_BUSY',
};

const EXPLANATIONS: Record<MediaDeviceErrorCode, string> = {
  DEVICE_DENIED: 'access was denied',
  DEVICE_NOT_FOUND: 'no matching device was found',
  DEVICE_BUSY: 'the device could not be started (is another application using it?)',
  DEVICE_UNSUPPORTED: 'capture failed',
};

/** The typed form of a getUserMedia/getDisplayMedia failure. */
export function deviceError(device: CaptureDevice, error: unknown): MediaDeviceError {
  const name = (error as { name?: unknown } | null)?.name;
  const code = (typeof name === 'string' ? CODES_BY_NAME[name] : undefined) ?? 'DEVICE_UNSUPPORTED';
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  const detail = error instanceof Error && error.message ? `: ${error.message}` : '';
  return new MediaDeviceError(code, device, `cannot open the ${device}: ${EXPLANATIONS[code]}${detail}`, {
    cause: error,
    ...(typeof constraint === 'string' && constraint !== '' ? { constraint } : {}),
  });
}
