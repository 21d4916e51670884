import type { DirectChannel, Room } from '@switchboard/sdk';
import type { ServerProcess } from '../support/server-process.js';
import { p2pPair } from '../support/p2p.js';
import { joinRoom, leaveAll } from '../support/sdk-peer.js';
import { percentiles, type Percentiles } from '../support/stats.js';
import { sleep } from '../support/time.js';
import { measureLatency, type LatencyResult } from './latency.js';
import { stampedPayload } from './payload.js';

const GRANTS = ['publish', 'subscribe', 'sendData', 'receiveData', 'direct'] as const;
// Loopback candidates only, as the P2P baseline and the server path use.
const LOOPBACK = (candidate: string): boolean => / 127\.0\.0\.1 /.test(candidate);
const OPENS = 30;
/** Messages of each 1:1 throughput run, sent as fast as backpressure lets them. */
export const RATE_MESSAGES = 20_000;
const RATE_TIMEOUT_MS = 60_000;

/** The direct channel figures: latency, open time, and 1:1 rate beside the other two paths. */
export interface DirectResult {
  latency: LatencyResult;
  open: Percentiles;
  rate: { server: number; direct: number; p2p: number };
}

/** Two SDK peers in this process with the direct grant; the second accepts every channel. */
export async function pair(server: ServerProcess, room: string): Promise<[Room, Room]> {
  const options = { direct: { incoming: 'accept' as const, candidateFilter: LOOPBACK } };
  const sender = await joinRoom(server.wsUrl, await server.token(room, 'sender', GRANTS), options);
  const receiver = await joinRoom(server.wsUrl, await server.token(room, 'receiver', GRANTS), options);
  return [sender, receiver];
}

export async function openPair(sender: Room, receiver: Room): Promise<[DirectChannel, DirectChannel]> {
  const incoming = new Promise<DirectChannel>((resolve) => receiver.once('directChannel', resolve));
  const channel = await sender.openDirect(receiver.peerId, { candidateFilter: LOOPBACK });
  return [channel, await incoming];
}

/** Messages per second from one sender to one receiver, until the last one arrived. */
export async function rate(send: () => Promise<unknown> | unknown, received: () => number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < RATE_MESSAGES; i++) await send();
  const deadline = start + RATE_TIMEOUT_MS;
  while (received() < RATE_MESSAGES && performance.now() < deadline) await sleep(5);
  return (received() * 1000) / (performance.now() - start);
}

export async function directBenchmark(server: ServerProcess): Promise<DirectResult> {
  const [sender, receiver] = await pair(server, 'direct-bench');
  try {
    const opens: number[] = [];
    for (let i = 0; i < OPENS; i++) {
      const start = performance.now();
      const [channel] = await openPair(sender, receiver);
      opens.push(performance.now() - start);
      channel.close();
    }
    const [channel, incoming] = await openPair(sender, receiver);
    const latency = await measureLatency(
      (payload) => channel.send('bench', payload),
      (listener) => incoming.on('message', (message) => listener(message.data as Uint8Array)),
    );
    const [rateChannel, rateIncoming] = await openPair(sender, receiver);
    let direct = 0;
    rateIncoming.on('message', () => (direct += 1));
    let relayed = 0;
    receiver.on('message', () => (relayed += 1));
    const payload = stampedPayload();
    const { sender: a, receiver: b } = await p2pPair();
    let p2p = 0;
    b.channel.onmessage = () => (p2p += 1);
    try {
      return {
        latency,
        open: percentiles(opens),
        rate: {
          direct: await rate(() => rateChannel.send('bench', payload), () => direct),
          server: await rate(() => sender.send('bench', payload, { to: receiver.peerId }), () => relayed),
          p2p: await rate(() => p2pSend(a.channel, payload), () => p2p),
        },
      };
    } finally {
      a.close();
      b.close();
    }
  } finally {
    await leaveAll([sender, receiver]);
  }
}

// The SDK's watermarks, so the baseline sender waits as the SDK's do.
export async function p2pSend(channel: RTCDataChannel, payload: Uint8Array<ArrayBuffer>): Promise<void> {
  if (channel.bufferedAmount > 1024 * 1024) {
    while (channel.bufferedAmount > 256 * 1024) await sleep(10);
  }
  channel.send(payload);
}
