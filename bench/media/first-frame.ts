import wrtc from '@roamhq/wrtc';
import type { RemoteTrack } from '@switchboard/sdk';
import { leaveAll } from '../support/sdk-peer.js';
import { percentiles, type Percentiles } from '../support/stats.js';
import { sleep, withTimeout } from '../support/time.js';
import { joinViewer, viewerToken } from './viewer.js';

/** Joins measured per spacing, one after another. */
export const FIRST_FRAME_JOINS = 20;
/**
 * Pause between one viewer leaving and the next joining. 0: back to back, so the next viewer's
 * key frame request comes a few hundred ms after the previous one's. 1 s: none in the last second,
 * as for a viewer joining a stream nobody else is joining.
 */
export const SPACINGS_MS = [1_000, 0];
const FIRST_FRAME_TIMEOUT_MS = 10_000;

/** Times from calling `connect()`, in ms, and the width of each viewer's first decoded frame. */
export interface FirstFrameResult {
  /** The pause between a viewer leaving and the next joining. */
  spacingMs: number;
  /** `connect()` resolved: signaling, join, transports, data channels open. */
  connect: Percentiles;
  /** `trackSubscribed`: the server's consumer is set up and resumed, the track exists. */
  subscribed: Percentiles;
  /** The first frame an RTCVideoSink got from the track: received, a key frame, decoded. */
  firstFrame: Percentiles;
  /** Width of each first frame → how many viewers started at it. */
  firstWidths: Record<number, number>;
}

interface Sink {
  stop(): void;
}

/**
 * A viewer joins `room`, where the publisher is already sending, {@link FIRST_FRAME_JOINS} times,
 * leaving after each and pausing `spacingMs`: from calling `connect()` to the first frame an
 * RTCVideoSink decodes from the auto-subscribed track. Runs in the bench process; nothing else is
 * joining meanwhile.
 */
export async function firstFrame(wsUrl: string, room: string, spacingMs: number): Promise<FirstFrameResult> {
  const connectMs: number[] = [];
  const subscribedMs: number[] = [];
  const frameMs: number[] = [];
  const firstWidths: Record<number, number> = {};
  for (let i = 0; i < FIRST_FRAME_JOINS; i++) {
    const token = await viewerToken(room, `first-frame-${spacingMs}-${i}`);
    let sink: Sink | undefined;
    let subscribedAt = NaN;
    const started = performance.now();
    const viewer = await joinViewer(wsUrl, token);
    connectMs.push(performance.now() - started);
    try {
      // Listen before awaiting anything: the tracks already published are emitted on the next task.
      const first = new Promise<{ at: number; width: number }>((resolve) => {
        viewer.room.on('trackSubscribed', ({ track }) => {
          if (track.kind !== 'video' || sink !== undefined) return;
          subscribedAt = performance.now();
          sink = sinkOn(track, (width) => resolve({ at: performance.now(), width }));
        });
      });
      const { at, width } = await withTimeout(first, FIRST_FRAME_TIMEOUT_MS, `viewer ${i}'s first decoded frame`);
      subscribedMs.push(subscribedAt - started);
      frameMs.push(at - started);
      firstWidths[width] = (firstWidths[width] ?? 0) + 1;
    } finally {
      sink?.stop();
      await leaveAll([viewer.room]);
    }
    await sleep(spacingMs);
  }
  return { spacingMs, connect: percentiles(connectMs), subscribed: percentiles(subscribedMs), firstFrame: percentiles(frameMs), firstWidths };
}

/** An RTCVideoSink on `track` that calls `onFirst` with the width of the first frame it gets. */
function sinkOn(track: RemoteTrack, onFirst: (width: number) => void): Sink {
  const sink = new wrtc.nonstandard.RTCVideoSink(track.mediaStreamTrack!);
  let seen = false;
  sink.onframe = ({ frame }: { frame: { width: number } }) => {
    if (seen) return;
    seen = true;
    onFirst(frame.width);
  };
  return sink;
}
