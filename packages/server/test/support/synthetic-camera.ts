import wrtc from '@roamhq/wrtc';

/** Size of the synthetic camera's frames. */
export const WIDTH = 320;
const HEIGHT = 240;

/** A wrtc video track fed with grey I420 frames at 30 fps until stopped. */
export function syntheticCamera(): { track: MediaStreamTrack; stop(): void } {
  const source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const frame = { width: WIDTH, height: HEIGHT, data: new Uint8Array(WIDTH * HEIGHT * 1.5).fill(128) };
  let n = 0;
  const timer = setInterval(() => {
    frame.data[n++ % frame.data.length] = n % 256;
    source.onFrame(frame);
  }, 33);
  return {
    track,
    stop: () => {
      clearInterval(timer);
      track.stop();
    },
  };
}
