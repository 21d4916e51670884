import { randomUUID } from 'node:crypto';

/**
 * The parts of a MediaStreamTrack that the SDK and mediasoup-client's FakeHandler use. `end()`
 * ends it as an unplugged device would (an `ended` event); `stop()` does not fire one.
 */
export class FakeTrack extends EventTarget {
  readonly id = randomUUID();
  enabled = true;
  readyState: MediaStreamTrackState = 'live';

  constructor(
    readonly kind: 'audio' | 'video',
    private readonly settings: MediaTrackSettings = {},
  ) {
    super();
  }

  /** A camera track of `width`×`height`, as a browser reports one. */
  static camera(width = 1280, height = 720): MediaStreamTrack {
    return new FakeTrack('video', { deviceId: 'cam-1', width, height }) as unknown as MediaStreamTrack;
  }

  getSettings(): MediaTrackSettings {
    return this.settings;
  }

  stop(): void {
    this.readyState = 'ended';
  }

  end(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

/** A MediaStream that only holds its tracks. */
export class FakeMediaStream {
  constructor(private readonly tracks: MediaStreamTrack[]) {}

  getTracks(): MediaStreamTrack[] {
    return [...this.tracks];
  }
}

/** The parts of an HTMLVideoElement that `RemoteTrack.attach` sets. */
export function fakeVideoElement(): HTMLVideoElement {
  return { srcObject: null, autoplay: false, muted: false, playsInline: false } as unknown as HTMLVideoElement;
}

/** Installs {@link FakeMediaStream} as the global MediaStream; returns the function that restores the previous one. */
export function installFakeMediaStream(): () => void {
  const previous = Object.getOwnPropertyDescriptor(globalThis, 'MediaStream');
  Object.defineProperty(globalThis, 'MediaStream', { value: FakeMediaStream, configurable: true, writable: true });
  return () => {
    if (previous === undefined) Reflect.deleteProperty(globalThis, 'MediaStream');
    else Object.defineProperty(globalThis, 'MediaStream', previous);
  };
}
