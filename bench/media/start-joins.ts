import wrtc from '@roamhq/wrtc';
import type { Room } from '@switchboard/sdk';
import { withTimeout } from '../support/time.js';
import type { MediaWatch, WatchedProducer } from './media-watch.js';
import { joinViewer } from './viewer.js';

const FIRST_FRAME_TIMEOUT_MS = 10_000;

/** A new viewer's steps to its first decoded frame, ms from calling `connect()`. */
export interface JoinTimes {
  connected: number;
  consumerCreated: number;
  resumed: number;
  /** The key frame request the worker sent the publisher for it (NaN: an earlier one served it). */
  requestSent: number;
  /** The key frame it got arriving from the publisher. */
  keyFrameIn: number;
  /** The worker sending it that key frame. */
  keyFrameOut: number;
  decoded: number;
}

/**
 * Joins a viewer (SDK on wrtc, auto-subscribe) and times its first video frame through the
 * server's steps, which `watch` sees: `times` resolves once a frame is decoded.
 */
export async function joinTimed(wsUrl: string, token: string, watch: MediaWatch): Promise<{ room: Room; times: Promise<JoinTimes> }> {
  const started = performance.now();
  const joined = joinViewer(wsUrl, token).then((viewer) => viewer.room);
  const decoded = new Promise<number>((resolve) => {
    let seen = false;
    joined.then(
      (room) =>
        room.on('trackSubscribed', ({ track }) => {
          if (track.kind !== 'video' || seen) return;
          seen = true;
          const sink = new wrtc.nonstandard.RTCVideoSink(track.mediaStreamTrack!);
          sink.onframe = () => {
            sink.stop();
            resolve(performance.now());
          };
        }),
      () => undefined,
    );
  });
  const room = await joined;
  const connected = performance.now() - started;
  const times = withTimeout(decoded, FIRST_FRAME_TIMEOUT_MS, 'a first decoded frame').then((at) => {
    const consumer = watch.consumerOf(room.peerId);
    const producer = watch.latestProducer();
    if (!consumer || !producer) throw new Error('the server has no video consumer for the viewer');
    const keyFrameIn = lastBefore(producer.keyFrames, consumer.keyFrameOut);
    const request = requestFor(producer, consumer.resumed, keyFrameIn);
    return {
      connected,
      consumerCreated: consumer.created - started,
      resumed: consumer.resumed - started,
      requestSent: request - started,
      keyFrameIn: keyFrameIn - started,
      keyFrameOut: consumer.keyFrameOut - started,
      decoded: at - started,
    };
  });
  return { room, times };
}

/** The newest moment at or before `limit` (NaN if none). */
function lastBefore(moments: ReadonlyArray<{ node: number }>, limit: number): number {
  let found = NaN;
  for (const { node } of moments) if (node <= limit) found = node;
  return found;
}

/** The request sent after the consumer resumed that its key frame answered (NaN: none). */
function requestFor(producer: WatchedProducer, resumed: number, keyFrameIn: number): number {
  const request = lastBefore(producer.plis, keyFrameIn);
  return request >= resumed - 2 ? request : NaN;
}
