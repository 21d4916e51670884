import assert from 'node:assert/strict';
import type { ConsumerOptions, ProducerOptions } from 'mediasoup-client/types';
import type { DecryptionFailedEvent } from '../src/e2ee/e2ee-error.js';
import type { FrameEndpoint, FrameTransform, FrameTransformer } from '../src/e2ee/frame-transformer.js';
import { ExternalKeyProvider } from '../src/e2ee/key-provider.js';
import { MediaEncryption } from '../src/e2ee/media-encryption.js';
import { SEAL_OVERHEAD } from '../src/e2ee/payload-cipher.js';

// A browser API stand-in: keeps the transform each sender or receiver was given.
class RecordingTransformer implements FrameTransformer {
  readonly transportSettings = { encodedInsertableStreams: true } as Partial<RTCConfiguration>;
  readonly attached: { endpoint: FrameEndpoint; transform: FrameTransform }[] = [];
  closed = false;
  attach(endpoint: FrameEndpoint, transform: FrameTransform): void {
    this.attached.push({ endpoint, transform });
  }
  close(): void {
    this.closed = true;
  }
}

const VP8 = { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 96 };
const VP9 = { kind: 'video' as const, mimeType: 'video/VP9', clockRate: 90000, preferredPayloadType: 98 };
const H264 = { kind: 'video' as const, mimeType: 'video/H264', clockRate: 90000, preferredPayloadType: 97 };
type Codec = 'audio/opus' | 'video/VP8' | 'video/VP9';

async function peer(identity: string, keyByte: number | undefined) {
  const keys = new ExternalKeyProvider();
  if (keyByte !== undefined) await keys.setKey(new Uint8Array(32).fill(keyByte), { keyId: 4 });
  const transformer = new RecordingTransformer();
  const media = new MediaEncryption(keys, transformer);
  const failures: DecryptionFailedEvent[] = [];
  media.attach({ selfId: () => `p-${identity}`, identityOf: (peerId) => peerId.slice(2), decryptionFailed: (event) => failures.push(event) });
  return { keys, transformer, media, failures };
}

// The transform a sender of `kind` gets from `media`'s produce options.
function senderTransform(setUp: Awaited<ReturnType<typeof peer>>, codec: Codec): FrameTransform {
  const kind = codec === 'audio/opus' ? 'audio' : 'video';
  const options = setUp.media.producerOptions({ track: { kind } as MediaStreamTrack, ...(codec === 'video/VP9' ? { codec: VP9 } : {}) } as ProducerOptions, [VP8, VP9]);
  options.onRtpSender!({} as never);
  return setUp.transformer.attached.at(-1)!.transform;
}

function receiverTransform(setUp: Awaited<ReturnType<typeof peer>>, codec: Codec, from: string): FrameTransform {
  const kind = codec === 'audio/opus' ? 'audio' : 'video';
  const options = setUp.media.consumerOptions({ kind, rtpParameters: { codecs: [{ mimeType: codec }] } } as ConsumerOptions, from, 'camera');
  options.onRtpReceiver!({} as never);
  return setUp.transformer.attached.at(-1)!.transform;
}

const frame = (length: number, type?: string) => ({ data: Uint8Array.from({ length }, (_, n) => n % 251).buffer, ...(type === undefined ? {} : { type }) });

describe('media encryption behind a frame transformer', () => {
  it('keeps the codec header in clear, encrypts the rest, and opens it at a receiver with the key', async () => {
    const alice = await peer('alice', 1);
    const bob = await peer('bob', 1);
    for (const [codec, type, clear] of [
      ['video/VP8', 'key', 10],
      ['video/VP8', 'delta', 3],
      ['video/VP9', 'key', 0],
      ['audio/opus', undefined, 1],
    ] as const) {
      const plain = frame(500, type);
      const sealed = (await senderTransform(alice, codec)({ ...plain, data: plain.data.slice(0) }))!;
      assert.equal(sealed.byteLength, 500 + SEAL_OVERHEAD);
      assert.deepEqual(new Uint8Array(sealed, 0, clear), new Uint8Array(plain.data, 0, clear), `${codec} ${type}: the header stays in clear`);
      assert.notDeepEqual(new Uint8Array(sealed, clear, 20), new Uint8Array(plain.data, clear, 20), 'the rest is not');
      const opened = await receiverTransform(bob, codec, 'p-alice')({ data: sealed, ...(type === undefined ? {} : { type }) });
      assert.deepEqual(new Uint8Array(opened!), new Uint8Array(plain.data));
    }
    assert.deepEqual(bob.failures, []);
  });

  it('drops frames it cannot open and reports each spell of failures once', async () => {
    const alice = await peer('alice', 1);
    const blind = await peer('blind', undefined);
    const send = senderTransform(alice, 'video/VP8');
    const receive = receiverTransform(blind, 'video/VP8', 'p-alice');
    const sealed = async () => (await send(frame(300, 'delta')))!;
    assert.equal(await receive({ data: await sealed(), type: 'delta' }), undefined);
    assert.equal(await receive({ data: await sealed(), type: 'delta' }), undefined);
    assert.equal(blind.failures.length, 1);
    assert.deepEqual([blind.failures[0]!.source, blind.failures[0]!.type, blind.failures[0]!.identity, blind.failures[0]!.reason, blind.failures[0]!.keyId], ['media', 'camera', 'alice', 'noKey', 4]);
    // The key arrives: frames open; when they fail again, that is a new spell.
    await blind.keys.setKey(new Uint8Array(32).fill(1), { keyId: 4 });
    assert.notEqual(await receive({ data: await sealed(), type: 'delta' }), undefined);
    blind.keys.removeKey(4);
    assert.equal(await receive({ data: await sealed(), type: 'delta' }), undefined);
    assert.equal(blind.failures.length, 2);
  });

  it('sends nothing without a key, refuses codecs without a known clear header, and closes its transformer', async () => {
    const keyless = await peer('keyless', undefined);
    assert.equal(await senderTransform(keyless, 'video/VP8')(frame(300, 'key')), undefined);
    const alice = await peer('alice', 1);
    assert.throws(() => alice.media.producerOptions({ track: { kind: 'video' } as MediaStreamTrack, codec: H264 } as ProducerOptions, [VP8, H264]), { name: 'E2EEError', code: 'UNSUPPORTED' });
    assert.throws(() => alice.media.consumerOptions({ kind: 'video', rtpParameters: { codecs: [H264] } } as unknown as ConsumerOptions, 'p-bob', 'camera'), { name: 'E2EEError', code: 'UNSUPPORTED' });
    assert.deepEqual(alice.media.transportSettings, { encodedInsertableStreams: true });
    alice.media.close();
    assert.equal(alice.transformer.closed, true);
  });

  it('refuses media where the environment has no encoded-frame API (Node), sending nothing', async () => {
    const media = new MediaEncryption(new ExternalKeyProvider());
    assert.deepEqual(media.transportSettings, {});
    assert.throws(() => media.producerOptions({ track: { kind: 'audio' } as MediaStreamTrack } as ProducerOptions, [VP8]), { name: 'E2EEError', code: 'UNSUPPORTED' });
    assert.throws(() => media.consumerOptions({ kind: 'video' } as ConsumerOptions, 'p-alice', 'camera'), { name: 'E2EEError', code: 'UNSUPPORTED' });
  });
});
