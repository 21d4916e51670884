import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Consumer } from 'mediasoup/types';
import { VideoStarts } from '../src/media/video-starts.js';

/** The part of a mediasoup Consumer that VideoStarts uses; records when it was resumed. */
class FakeConsumer {
  static count = 0;
  readonly id = `consumer-${++FakeConsumer.count}`;
  readonly observer = new EventEmitter();
  closed = false;
  resumedAt: number | undefined;

  constructor(
    readonly producerId: string,
    readonly kind: 'audio' | 'video' = 'video',
  ) {}

  resume(): Promise<void> {
    this.resumedAt ??= performance.now();
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
    this.observer.emit('close');
  }

  get asConsumer(): Consumer {
    return this as unknown as Consumer;
  }
}

const HOLD_MS = 300;
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('VideoStarts: new viewers of a track start together', () => {
  it('resumes a lone new consumer at once', async () => {
    const starts = new VideoStarts({ holdMs: HOLD_MS });
    const consumer = new FakeConsumer('track');
    starts.created(consumer.asConsumer);
    await starts.resume(consumer.asConsumer);
    assert.ok(consumer.resumedAt !== undefined);
  });

  it('holds a resume while another new consumer of the track is set up, then resumes both', async () => {
    const starts = new VideoStarts({ holdMs: 5_000 });
    const [first, second, other] = [new FakeConsumer('track'), new FakeConsumer('track'), new FakeConsumer('other track')];
    [first, second, other].forEach((c) => starts.created(c.asConsumer));
    const firstResumed = starts.resume(first.asConsumer);
    // Another track's consumers are not waited for.
    await starts.resume(other.asConsumer);
    assert.ok(other.resumedAt !== undefined);
    await tick();
    assert.equal(first.resumedAt, undefined, 'held for the second new consumer');
    await starts.resume(second.asConsumer);
    await firstResumed;
    assert.ok(first.resumedAt !== undefined && second.resumedAt !== undefined);
  });

  it('resumes the held consumers after the hold even if another is never resumed', async () => {
    const starts = new VideoStarts({ holdMs: HOLD_MS });
    const [first, silent] = [new FakeConsumer('track'), new FakeConsumer('track')];
    starts.created(first.asConsumer);
    starts.created(silent.asConsumer);
    const started = performance.now();
    await starts.resume(first.asConsumer);
    assert.ok(first.resumedAt !== undefined && first.resumedAt - started >= HOLD_MS - 5);
    assert.equal(silent.resumedAt, undefined);
  });

  it('stops waiting for a consumer that closes, and drops the resume of one paused while held', async () => {
    const starts = new VideoStarts({ holdMs: 5_000 });
    const [first, second, closing] = [new FakeConsumer('track'), new FakeConsumer('track'), new FakeConsumer('track')];
    [first, second, closing].forEach((c) => starts.created(c.asConsumer));
    const firstResumed = starts.resume(first.asConsumer);
    const secondResumed = starts.resume(second.asConsumer);
    await tick();
    starts.paused(second.asConsumer);
    await secondResumed;
    assert.equal(second.resumedAt, undefined, 'paused by its subscriber while held: stays paused');
    assert.equal(first.resumedAt, undefined);
    closing.close();
    await firstResumed;
    assert.ok(first.resumedAt !== undefined);
  });

  it('never holds audio, a consumer resumed again later, or anything with a hold of 0', async () => {
    const starts = new VideoStarts({ holdMs: 5_000 });
    const [audio, pending] = [new FakeConsumer('mic', 'audio'), new FakeConsumer('mic', 'audio')];
    starts.created(audio.asConsumer);
    starts.created(pending.asConsumer);
    await starts.resume(audio.asConsumer);
    assert.ok(audio.resumedAt !== undefined);

    const [video, waitedFor] = [new FakeConsumer('camera'), new FakeConsumer('camera')];
    starts.created(video.asConsumer);
    starts.created(waitedFor.asConsumer);
    starts.paused(video.asConsumer);
    await starts.resume(video.asConsumer);
    assert.ok(video.resumedAt !== undefined, 'paused before its first resume: not new any more');

    const off = new VideoStarts({ holdMs: 0 });
    const [a, b] = [new FakeConsumer('camera'), new FakeConsumer('camera')];
    off.created(a.asConsumer);
    off.created(b.asConsumer);
    await off.resume(a.asConsumer);
    assert.ok(a.resumedAt !== undefined);
  });
});
