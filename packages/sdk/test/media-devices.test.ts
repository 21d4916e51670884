import assert from 'node:assert/strict';
import { deviceError, openCamera, openMicrophone, openScreen } from '../src/track/media-devices.js';
import { resolvePublication } from '../src/track/publish-options.js';
import { MediaDeviceError } from '../src/track/track-errors.js';
import { FakeTrack } from './support/fake-media.js';

/** A stream holding `tracks`, as getUserMedia resolves with. */
function stream(...tracks: FakeTrack[]): MediaStream {
  return {
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
  } as unknown as MediaStream;
}

/** Installs `mediaDevices` as `navigator.mediaDevices` for one test (Node 20 has no navigator). */
function withMediaDevices(mediaDevices: Partial<MediaDevices> | undefined): () => void {
  const previous = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: mediaDevices === undefined ? {} : { mediaDevices }, configurable: true });
  return () => {
    if (previous === undefined) Reflect.deleteProperty(globalThis, 'navigator');
    else Object.defineProperty(globalThis, 'navigator', previous);
  };
}

const isDeviceError = (code: string) => (error: unknown) => error instanceof MediaDeviceError && error.code === code;

describe('opening cameras, microphones and screens', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it('maps the browsers’ failures to typed errors, keeping the original as the cause', () => {
    const cases: Array<[string, string]> = [
      ['NotAllowedError', 'DEVICE_DENIED'],
      ['SecurityError', 'DEVICE_DENIED'],
      ['NotFoundError', 'DEVICE_NOT_FOUND'],
      ['OverconstrainedError', 'DEVICE_NOT_FOUND'],
      ['NotReadableError', 'DEVICE_BUSY'],
      ['AbortError', 'DEVICE_BUSY'],
      ['TypeError', 'DEVICE_UNSUPPORTED'],
      ['SomethingNew', 'DEVICE_UNSUPPORTED'],
    ];
    for (const [name, code] of cases) {
      const cause = new DOMException('nope', name);
      const error = deviceError('camera', cause);
      assert.equal(error.code, code, name);
      assert.equal(error.cause, cause);
      assert.equal(error.device, 'camera');
    }
    const overconstrained = Object.assign(new Error('no 8K camera'), { name: 'OverconstrainedError', constraint: 'width' });
    assert.equal(deviceError('camera', overconstrained).constraint, 'width');
  });

  it('rejects with DEVICE_UNSUPPORTED where there is no mediaDevices', async () => {
    restore = withMediaDevices(undefined);
    await assert.rejects(openCamera(), isDeviceError('DEVICE_UNSUPPORTED'));
    await assert.rejects(openScreen(), isDeviceError('DEVICE_UNSUPPORTED'));
  });

  it('rejects with the mapped error when the browser refuses', async () => {
    restore = withMediaDevices({
      getUserMedia: async () => {
        throw new DOMException('Permission denied', 'NotAllowedError');
      },
      getDisplayMedia: async () => {
        throw new DOMException('Could not start video source', 'NotReadableError');
      },
    });
    await assert.rejects(openMicrophone(), isDeviceError('DEVICE_DENIED'));
    await assert.rejects(openScreen(), isDeviceError('DEVICE_BUSY'));
  });

  it('returns the track, asks for the right kind, and remembers the source for publish', async () => {
    const asked: MediaStreamConstraints[] = [];
    const camera = new FakeTrack('video');
    const screen = new FakeTrack('video');
    restore = withMediaDevices({
      getUserMedia: async (constraints) => (asked.push(constraints!), stream(camera)),
      getDisplayMedia: async (options) => (asked.push(options!), stream(screen)),
    });
    const opened = await openCamera({ width: 640 });
    assert.equal(opened, camera as unknown as MediaStreamTrack);
    await openScreen();
    assert.deepEqual(asked, [{ video: { width: 640 } }, { video: {}, audio: false }]);
    assert.deepEqual(resolvePublication(opened, {}, true).name, 'camera');
    assert.deepEqual(resolvePublication(screen as unknown as MediaStreamTrack, {}, true), { name: 'screen', source: 'screen', simulcast: true, codec: undefined });
  });

  it('rejects with DEVICE_NOT_FOUND when the stream has no track of the kind asked for', async () => {
    restore = withMediaDevices({ getUserMedia: async () => stream(new FakeTrack('video')) });
    await assert.rejects(openMicrophone(), isDeviceError('DEVICE_NOT_FOUND'));
  });
});
