import wrtc from '@roamhq/wrtc';

/** A synthetic video track, fed until `stop()`. */
export interface SyntheticVideo {
  track: MediaStreamTrack;
  stop(): void;
}

/** A wrtc video track of grey 320×240 I420 frames at 30 fps, one changing pixel each. */
export function syntheticCamera(width = 320, height = 240): SyntheticVideo {
  const source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack() as unknown as MediaStreamTrack;
  const frame = { width, height, data: new Uint8Array(width * height * 1.5).fill(128) };
  let n = 0;
  const timer = setInterval(() => {
    frame.data[n++ % frame.data.length] = n % 256;
    source.onFrame(frame);
  }, 33);
  return { track, stop: () => (clearInterval(timer), track.stop()) };
}

/** Decoded frames of a received video track, until `stop()`. */
export interface FrameCounter {
  frames: number;
  stop(): void;
}

/** Counts the decoded frames of `track`; `first` runs at the first. */
export function countFrames(track: MediaStreamTrack, first: () => void): FrameCounter {
  const sink = new wrtc.nonstandard.RTCVideoSink(track as never);
  const counter: FrameCounter = { frames: 0, stop: () => sink.stop() };
  sink.onframe = () => {
    if (counter.frames++ === 0) first();
  };
  return counter;
}
