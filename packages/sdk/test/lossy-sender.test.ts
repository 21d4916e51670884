import assert from 'node:assert/strict';
import { DataPlane } from '../src/data-channel/data-plane.js';
import { LossySender } from '../src/data-channel/lossy-sender.js';
import { DisconnectedError, MessageError } from '../src/errors.js';
import { encode, EnvelopeKind } from '../src/protocol/index.js';
import { FakeChannel } from './support/fake-channel.js';

const WATERMARKS = { high: 1000, low: 200 };
const cursor = { kind: EnvelopeKind.message, type: 'cursor', data: encode({ x: 1, y: 2 }) };

function sender(maxMessageSize = 64 * 1024): LossySender {
  return new LossySender({ watermarks: WATERMARKS, limit: () => ({ bytes: maxMessageSize, name: 'the lossy limit' }) });
}

describe('LossySender', () => {
  it('sends at once with its own numbering from 1', () => {
    const lossy = sender();
    const channel = new FakeChannel();
    lossy.attach(channel);
    assert.equal(lossy.send(cursor), undefined);
    assert.equal(lossy.send(cursor), undefined);
    assert.deepEqual(channel.seqs(), [1, 2]);
    assert.equal(lossy.sent, 2);
    assert.equal(lossy.dropped, 0);
  });

  it('drops and counts messages while the buffer is above the high watermark', () => {
    const lossy = sender();
    const channel = new FakeChannel();
    channel.buffers = true;
    lossy.attach(channel);
    const large = { ...cursor, data: encode('x'.repeat(580)) };
    const results = [1, 2, 3, 4].map(() => lossy.send(large));
    // 0 and about 600 are within the watermark; after the second send the buffer holds about 1200.
    assert.deepEqual(results, [undefined, undefined, 'backpressure', 'backpressure']);
    assert.equal(lossy.dropped, 2);
    channel.drainTo(0);
    assert.equal(lossy.send(cursor), undefined);
    assert.deepEqual(channel.seqs(), [1, 2, 3]);
  });

  it('drops and counts messages without an open channel', () => {
    const lossy = sender();
    assert.equal(lossy.send(cursor), 'disconnected');
    const channel = new FakeChannel();
    channel.readyState = 'connecting';
    lossy.attach(channel);
    assert.equal(lossy.send(cursor), 'disconnected');
    channel.open();
    assert.equal(lossy.send(cursor), undefined);
    lossy.detach();
    assert.equal(lossy.send(cursor), 'disconnected');
    channel.failSends = true;
    lossy.attach(channel);
    assert.equal(lossy.send(cursor), 'disconnected');
    assert.equal(lossy.dropped, 4);
    assert.equal(lossy.sent, 1);
  });

  it('rejects a message above the size limit even when it would be dropped anyway', () => {
    const lossy = sender(20);
    assert.throws(
      () => lossy.send({ ...cursor, data: encode('x'.repeat(50)) }),
      (error: unknown) => error instanceof MessageError && error.code === 'MESSAGE_TOO_LARGE' && /the lossy limit is 20/.test(error.message),
    );
    assert.equal(lossy.dropped, 0);
  });

  it('throws once the session is over', () => {
    const lossy = sender();
    const error = new DisconnectedError('gone');
    lossy.fail(error);
    assert.throws(() => lossy.send(cursor), (thrown: unknown) => thrown === error);
  });
});

describe('DataPlane stats', () => {
  it('adds up both channels and the receiver', () => {
    const data = new DataPlane(WATERMARKS, false);
    const reliable = new FakeChannel();
    reliable.readyState = 'connecting';
    data.attach({ reliable, lossy: new FakeChannel() });
    data.reliable.send(cursor);
    data.lossy.send(cursor);
    data.detach();
    data.lossy.send(cursor);
    assert.deepEqual(data.stats, {
      sent: 1,
      received: 0,
      lossyDropped: 1,
      rejected: 0,
      queued: 1,
      unacked: 0,
      duplicatesDropped: 0,
      malformedDropped: 0,
    });
  });

  it('enforces the limits the last join reported, each channel its own', () => {
    const data = new DataPlane(WATERMARKS, false);
    data.maxMessageSize = 10;
    assert.throws(() => data.reliable.send(cursor), (error: unknown) => error instanceof MessageError && /maxMessageSize is 10/.test(error.message));
    data.maxMessageSize = 1000;
    assert.equal(data.reliable.send(cursor).seq, 1);
    data.maxLossyMessageSize = 10;
    assert.throws(() => data.lossy.send(cursor), (error: unknown) => error instanceof MessageError && /maxLossyMessageSize/.test(error.message));
  });
});
