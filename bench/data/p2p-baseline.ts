import { offerP2p, p2pPair, type P2pEnd } from '../support/p2p.js';
import { sleep } from '../support/time.js';
import { floodThenSteady, measureFanout, type FanoutResult, type FanoutRuns, type FanoutSend } from './fanout.js';
import { measureLatency, type LatencyResult } from './latency.js';
import type { ReceiverHost } from './receivers.js';

// The SDK's default backpressure, so the mesh sender waits exactly as the SDK sender does: above
// HIGH bytes buffered it waits until the buffer drains to LOW, polling (wrtc has no
// `bufferedamountlow` event).
const HIGH_WATERMARK = 1024 * 1024;
const LOW_WATERMARK = 256 * 1024;
const DRAIN_POLL_MS = 20;

/** Baseline of one-to-one latency: a direct DataChannel between two wrtc peers in this process. */
export async function p2pLatency(): Promise<LatencyResult> {
  const { sender, receiver } = await p2pPair();
  try {
    return await measureLatency(
      (payload) => sender.channel.send(payload),
      (listener) => (receiver.channel.onmessage = (event: MessageEvent<ArrayBuffer>) => listener(new Uint8Array(event.data))),
    );
  } finally {
    sender.close();
    receiver.close();
  }
}

/**
 * Baseline of one-to-many: a mesh in which the sender has one RTCPeerConnection per receiver
 * (receivers in the receiver host) and sends each its own copy of every message.
 */
export async function p2pMesh(host: ReceiverHost, receivers: number): Promise<FanoutRuns<FanoutResult>> {
  const ends: P2pEnd[] = [];
  try {
    for (let i = 0; i < receivers; i++) ends.push(await offerP2p(async (offer) => (await host.call('answer', { offer })).answer));
    const send: FanoutSend = async (payload) => {
      for (const { channel } of ends) {
        if (channel.bufferedAmount > HIGH_WATERMARK) {
          while (channel.bufferedAmount > LOW_WATERMARK) await sleep(DRAIN_POLL_MS);
        }
        channel.send(payload);
      }
    };
    return await floodThenSteady((drive) => measureFanout(host, receivers, send, drive));
  } finally {
    for (const end of ends) end.close();
    await host.call('clear', {});
  }
}
