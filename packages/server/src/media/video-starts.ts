import type { Consumer } from 'mediasoup/types';

/** How new viewers' video starts. */
export interface VideoStartOptions {
  /**
   * Longest a new video consumer's resume is held for the other new consumers of the same track
   * to be resumed with it, in ms (0 = never held).
   */
  holdMs: number;
}

// A consumer created longer ago than this and still paused is not waited for: its subscriber
// resumes it later or never, and a burst of joins takes less.
const NEW_FOR_MS = 1_000;

interface Waiting {
  consumer: Consumer;
  createdAt: number;
}

interface Held {
  consumer: Consumer;
  /** Ends the hold: `true` resumes the consumer, `false` leaves it paused. */
  release: (resume: boolean) => void;
}

/** The new consumers of one track: created and not yet resumed, and those held for them. */
interface TrackStarts {
  readonly waiting: Map<string, Waiting>;
  held: Held[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Starts new viewers' video together. Resuming a video consumer makes the worker ask the
 * publisher for a key frame; the worker merges the requests of one layer made within the track's
 * `keyFrameRequestDelay`, and the publisher (libwebrtc) answers at most one request every 300 ms.
 * So of viewers arriving in a burst, those resumed just after the first one's key frame went by
 * wait for the next merged request, up to that delay later. Instead, when a new consumer's
 * subscriber resumes it while other new consumers of the same track are still being set up, its
 * resume is held (up to {@link VideoStartOptions.holdMs}) and they are resumed at the same moment,
 * so that one key frame starts them all.
 */
export class VideoStarts {
  private readonly tracks = new Map<string, TrackStarts>();

  constructor(private readonly options: VideoStartOptions) {}

  /** A new consumer, created paused: a resume of another consumer of its track may wait for it. */
  created(consumer: Consumer): void {
    if (consumer.kind !== 'video' || this.options.holdMs === 0) return;
    const track = this.trackOf(consumer.producerId);
    track.waiting.set(consumer.id, { consumer, createdAt: performance.now() });
    consumer.observer.once('close', () => {
      track.waiting.delete(consumer.id);
      track.held.find((held) => held.consumer === consumer)?.release(false);
      track.held = track.held.filter((held) => held.consumer !== consumer);
      this.settle(consumer.producerId, track);
    });
  }

  /** Resumes `consumer`, with the other new consumers of its track if they follow within the hold. */
  async resume(consumer: Consumer): Promise<void> {
    const track = this.tracks.get(consumer.producerId);
    if (!track?.waiting.delete(consumer.id)) {
      await consumer.resume();
      return;
    }
    const resume = await new Promise<boolean>((release) => {
      track.held.push({ consumer, release });
      track.timer ??= setTimeout(() => this.release(consumer.producerId, track), this.options.holdMs);
      this.settle(consumer.producerId, track);
    });
    if (resume && !consumer.closed) await consumer.resume();
  }

  /** The subscriber paused `consumer`: a resume of it still held is dropped, and nobody waits for it. */
  paused(consumer: Consumer): void {
    const track = this.tracks.get(consumer.producerId);
    if (!track) return;
    track.waiting.delete(consumer.id);
    const held = track.held.find((entry) => entry.consumer === consumer);
    track.held = track.held.filter((entry) => entry !== held);
    held?.release(false);
    this.settle(consumer.producerId, track);
  }

  /** Releases the held consumers once no other new one is still being set up. */
  private settle(producerId: string, track: TrackStarts): void {
    const now = performance.now();
    for (const [id, { createdAt }] of track.waiting) if (now - createdAt > NEW_FOR_MS) track.waiting.delete(id);
    if (track.waiting.size === 0) this.release(producerId, track);
  }

  private release(producerId: string, track: TrackStarts): void {
    clearTimeout(track.timer);
    track.timer = undefined;
    const held = track.held;
    track.held = [];
    for (const { release } of held) release(true);
    if (track.waiting.size === 0 && this.tracks.get(producerId) === track) this.tracks.delete(producerId);
  }

  private trackOf(producerId: string): TrackStarts {
    let track = this.tracks.get(producerId);
    if (!track) {
      track = { waiting: new Map(), held: [], timer: undefined };
      this.tracks.set(producerId, track);
    }
    return track;
  }
}
