import wrtc from '@roamhq/wrtc';

/** A synthetic media track fed until `stop()`, which also ends the track. */
export interface SyntheticTrack {
  track: MediaStreamTrack;
  stop(): void;
}

/** A wrtc video track fed with I420 frames of `width`×`height` at 30 fps. */
export function syntheticCamera(width = 320, height = 240): SyntheticTrack {
  const source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const frame = { width, height, data: new Uint8Array(width * height * 1.5).fill(128) };
  let n = 0;
  const timer = setInterval(() => {
    // A changing pixel, so the encoder has something to encode.
    frame.data[n++ % frame.data.length] = n % 256;
    source.onFrame(frame);
  }, 33);
  return { track, stop: () => (clearInterval(timer), track.stop()) };
}

/** A wrtc audio track fed with a 440 Hz tone, 10 ms of 48 kHz mono at a time. */
export function syntheticMicrophone(): SyntheticTrack {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  const sampleRate = 48_000;
  const samples = new Int16Array(sampleRate / 100);
  let t = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * t++) / sampleRate));
    source.onData({ samples, sampleRate });
  }, 10);
  return { track, stop: () => (clearInterval(timer), track.stop()) };
}

/** Counts the frames decoded from a received track, until `stop()`. */
export interface Receiver {
  frames: number;
  /** Width of the last video frame (0 for audio). */
  width: number;
  stop(): void;
}

/** Counts decoded video frames (and their width) or audio chunks of `track`. */
export function receive(track: MediaStreamTrack): Receiver {
  const counter: Receiver = { frames: 0, width: 0, stop: () => undefined };
  if (track.kind === 'video') {
    const sink = new wrtc.nonstandard.RTCVideoSink(track);
    sink.onframe = ({ frame }: { frame: { width: number } }) => {
      counter.frames++;
      counter.width = frame.width;
    };
    counter.stop = () => sink.stop();
  } else {
    const sink = new wrtc.nonstandard.RTCAudioSink(track);
    sink.ondata = () => counter.frames++;
    counter.stop = () => sink.stop();
  }
  return counter;
}
