import { assert } from 'chai';
import { decode, encode } from '../../src/protocol/index.js';

// Two RTCPeerConnections in one page, wired to each other: proves the browser's SCTP data path
// carries our MessagePack frames byte-exact.
describe('RTCPeerConnection loopback DataChannel', () => {
  let a: RTCPeerConnection;
  let b: RTCPeerConnection;

  beforeEach(() => {
    a = new RTCPeerConnection();
    b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && void b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && void a.addIceCandidate(e.candidate);
  });

  afterEach(() => {
    a.close();
    b.close();
  });

  it('carries a MessagePack-encoded object that decodes equal', async () => {
    const sent = a.createDataChannel('data', { ordered: true });
    sent.binaryType = 'arraybuffer';
    const incoming = new Promise<RTCDataChannel>((resolve) => (b.ondatachannel = (e) => resolve(e.channel)));

    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);

    const channel = await incoming;
    channel.binaryType = 'arraybuffer';
    await new Promise<void>((resolve) => (sent.readyState === 'open' ? resolve() : (sent.onopen = () => resolve())));

    const value = {
      type: 'chat',
      text: 'héllo 👋',
      at: 1732170000123,
      ratio: 0.25,
      tags: ['a', 'b'],
      nested: { ok: true, none: null, big: 2 ** 40 },
      bytes: new Uint8Array([0, 1, 255]),
    };
    const received = new Promise<ArrayBuffer>((resolve) => (channel.onmessage = (e) => resolve(e.data as ArrayBuffer)));
    sent.send(encode(value) as Uint8Array<ArrayBuffer>);
    assert.deepEqual(decode(await received), value);
  });
});
