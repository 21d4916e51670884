import wrtc from '@roamhq/wrtc';
import type { RemoteTrack, Room } from '@switchboard/sdk';
import { leaveAll } from '../support/sdk-peer.js';
import { percentiles, type Percentiles } from '../support/stats.js';
import { sleep, withTimeout } from '../support/time.js';
import { CAMERA } from './browser-publisher.js';
import { joinViewer, viewerToken } from './viewer.js';

/** Joins measured per row. */
export const FIRST_FRAME_JOINS = 20;

/** How the viewers of one row arrive. */
export interface JoinPattern {
  /** Viewers calling `connect()` at the same moment. */
  together: number;
  /** Pause between a group leaving and the next joining. */
  pauseMs: number;
  /** Whether each viewer stays until it decodes the top layer at full rate (or {@link TOP_LAYER_TIMEOUT_MS}). */
  untilTop: boolean;
}

/**
 * The rows, in order. 1 s apart: no key frame request in the last second, as for a viewer joining
 * a stream nobody else is joining. Back to back: the next `connect()` right after the previous
 * viewer's first frame and `leave()`, so its key frame request comes within a few hundred ms of
 * the previous one's. Together: viewers arriving at once (a stream starting, a link shared in chat).
 */
export const JOIN_PATTERNS: readonly JoinPattern[] = [
  { together: 1, pauseMs: 1_000, untilTop: true },
  { together: 1, pauseMs: 0, untilTop: false },
  { together: 4, pauseMs: 1_000, untilTop: true },
];
const FIRST_FRAME_TIMEOUT_MS = 10_000;
/** Longest a viewer waits for the top layer once it decodes. */
export const TOP_LAYER_TIMEOUT_MS = 6_000;
// At the top layer: the last TOP_FRAMES decoded frames all at the camera's width, at 80 % of its
// frame rate or more (a viewer held at the lowest temporal layer decodes 7.5 fps).
const TOP_FRAMES = 12;
const TOP_SPAN_MS = ((TOP_FRAMES - 1) * 1000) / (0.8 * CAMERA.frameRate);

/** Times from calling `connect()`, in ms, and the width of each viewer's first decoded frame. */
export interface FirstFrameResult {
  pattern: JoinPattern;
  /** `connect()` resolved: signaling, join, transports, data channels open. */
  connect: Percentiles;
  /** `trackSubscribed`: the server's consumer is set up and resumed, the track exists. */
  subscribed: Percentiles;
  /** The first frame an RTCVideoSink got from the track: received, a key frame, decoded. */
  firstFrame: Percentiles;
  /** Decoding the top layer at full rate (rows with `untilTop`); timeouts count as Infinity. */
  topLayer: Percentiles;
  /** Viewers that did not reach the top layer within {@link TOP_LAYER_TIMEOUT_MS} of their first frame. */
  missedTop: number;
  /** Width of each first frame → how many viewers started at it. */
  firstWidths: Record<number, number>;
}

interface Watched {
  room: Room;
  connected: number;
  subscribed: number;
  first: Promise<{ at: number; width: number }>;
  top: Promise<number>;
  stop(): void;
}

/**
 * Viewers join `room`, where the publisher is already sending, {@link FIRST_FRAME_JOINS} in all,
 * `pattern.together` at a time, each group leaving before the next: from calling `connect()` to
 * the first frame an RTCVideoSink decodes from the auto-subscribed track, and (`untilTop`) to the
 * top layer at full rate. Runs in the bench process; nothing else is joining meanwhile.
 */
export async function firstFrame(wsUrl: string, room: string, pattern: JoinPattern): Promise<FirstFrameResult> {
  const connectMs: number[] = [];
  const subscribedMs: number[] = [];
  const frameMs: number[] = [];
  const topMs: number[] = [];
  const firstWidths: Record<number, number> = {};
  for (let group = 0; group * pattern.together < FIRST_FRAME_JOINS; group++) {
    const tokens = await Promise.all(
      Array.from({ length: pattern.together }, (_, k) => viewerToken(room, `first-frame-${pattern.together}-${pattern.pauseMs}-${group}-${k}`)),
    );
    const watched = await Promise.all(tokens.map((token) => watchViewer(wsUrl, token)));
    try {
      for (const viewer of watched) {
        const { at, width } = await withTimeout(viewer.first, FIRST_FRAME_TIMEOUT_MS, 'a viewer\'s first decoded frame');
        connectMs.push(viewer.connected);
        subscribedMs.push(viewer.subscribed);
        frameMs.push(at);
        firstWidths[width] = (firstWidths[width] ?? 0) + 1;
      }
      if (pattern.untilTop) for (const viewer of watched) topMs.push(await viewer.top);
    } finally {
      watched.forEach((viewer) => viewer.stop());
      await leaveAll(watched.map((viewer) => viewer.room));
    }
    await sleep(pattern.pauseMs);
  }
  return {
    pattern,
    connect: percentiles(connectMs),
    subscribed: percentiles(subscribedMs),
    firstFrame: percentiles(frameMs),
    topLayer: percentiles(topMs),
    missedTop: topMs.filter((ms) => ms === Infinity).length,
    firstWidths,
  };
}

/** Joins one viewer and watches its video track's decoded frames, timed from calling `connect()`. */
async function watchViewer(wsUrl: string, token: string): Promise<Watched> {
  const started = performance.now();
  let sink: { stop(): void } | undefined;
  let subscribed = NaN;
  let resolveFirst: (first: { at: number; width: number }) => void = () => undefined;
  let resolveTop: (at: number) => void = () => undefined;
  const first = new Promise<{ at: number; width: number }>((resolve) => (resolveFirst = resolve));
  const top = new Promise<number>((resolve) => (resolveTop = resolve));
  // Listen before awaiting anything else: the tracks already published are emitted on the next task.
  const joining = joinViewer(wsUrl, token).then(({ room }) => {
    room.on('trackSubscribed', ({ track }) => {
      if (track.kind !== 'video' || sink !== undefined) return;
      subscribed = performance.now() - started;
      sink = sinkOn(track, (width) => resolveFirst({ at: performance.now() - started, width }), () => resolveTop(performance.now() - started));
    });
    return room;
  });
  const room = await joining;
  const connected = performance.now() - started;
  let timer: ReturnType<typeof setTimeout> | undefined;
  void first.then(() => (timer = setTimeout(() => resolveTop(Infinity), TOP_LAYER_TIMEOUT_MS)));
  return {
    room,
    connected,
    get subscribed() {
      return subscribed;
    },
    first,
    top: top.finally(() => clearTimeout(timer)),
    stop: () => {
      clearTimeout(timer);
      sink?.stop();
    },
  };
}

/**
 * An RTCVideoSink on `track`: `onFirst` with the first frame's width, `onTop` once the last
 * TOP_FRAMES frames were all at the camera's width and came at 80 % of its frame rate or more.
 */
function sinkOn(track: RemoteTrack, onFirst: (width: number) => void, onTop: () => void): { stop(): void } {
  const sink = new wrtc.nonstandard.RTCVideoSink(track.mediaStreamTrack!);
  const topFrames: number[] = [];
  let seen = false;
  let done = false;
  sink.onframe = ({ frame }: { frame: { width: number } }) => {
    if (!seen) {
      seen = true;
      onFirst(frame.width);
    }
    if (done) return;
    if (frame.width < CAMERA.width) {
      topFrames.length = 0;
      return;
    }
    topFrames.push(performance.now());
    if (topFrames.length > TOP_FRAMES) topFrames.shift();
    if (topFrames.length === TOP_FRAMES && topFrames[TOP_FRAMES - 1]! - topFrames[0]! <= TOP_SPAN_MS) {
      done = true;
      onTop();
    }
  };
  return sink;
}
