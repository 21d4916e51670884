import type { DirectChannel, Room } from '@switchboard/sdk';
import type { ServerProcess } from '../support/server-process.js';
import { p2pPair } from '../support/p2p.js';
import { joinRoom, leaveAll } from '../support/sdk-peer.js';
import { percentiles, type Percentiles } from '../support/stats.js';
import { sleep } from '../support/time.js';
import { LATENCY_MESSAGES, LATENCY_RATE, SETTLE_MS, WARM_UP_MESSAGES, type LatencyResult } from './latency.js';
import { stampedPayload, stampOf } from './payload.js';
import { paced } from './pump.js';

const GRANTS = ['publish', 'subscribe', 'sendData', 'receiveData', 'direct'] as const;
// Loopback candidates only, as the P2P baseline and the server path use.
const LOOPBACK = (candidate: string): boolean => / 127\.0\.0\.1 /.test(candidate);
const OPENS = 30;
/** Rounds of the direct/P2P comparison in `bench:data` (`bench:direct` runs more). */
const DATA_ROUNDS = 3;
/** Messages of each 1:1 throughput run, sent as fast as backpressure lets them. */
export const RATE_MESSAGES = 20_000;
const RATE_TIMEOUT_MS = 60_000;

/** One round of the comparison: latency and 1:1 rate of the direct channel and of a raw DataChannel. */
export interface DirectRound {
  direct: LatencyResult;
  p2p: LatencyResult;
  directRate: number;
  p2pRate: number;
}

/** The direct channel figures: open time, the alternated rounds, and the 1:1 rate through the server. */
export interface DirectResult {
  open: Percentiles;
  rounds: DirectRound[];
  serverRate: number;
}

/** Two SDK peers in this process with the direct grant; the second accepts every channel. */
export async function pair(server: ServerProcess, room: string): Promise<[Room, Room]> {
  const options = { direct: { incoming: 'accept' as const, candidateFilter: LOOPBACK } };
  const sender = await joinRoom(server.wsUrl, await server.token(room, 'sender', GRANTS), options);
  const receiver = await joinRoom(server.wsUrl, await server.token(room, 'receiver', GRANTS), options);
  return [sender, receiver];
}

async function openPair(sender: Room, receiver: Room): Promise<[DirectChannel, DirectChannel]> {
  const incoming = new Promise<DirectChannel>((resolve) => receiver.once('directChannel', resolve));
  const channel = await sender.openDirect(receiver.peerId, { candidateFilter: LOOPBACK });
  return [channel, await incoming];
}

/** Messages per second from one sender to one receiver, until the last one arrived. */
async function rate(send: () => Promise<unknown> | unknown, received: () => number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < RATE_MESSAGES; i++) await send();
  const deadline = start + RATE_TIMEOUT_MS;
  while (received() < RATE_MESSAGES && performance.now() < deadline) await sleep(5);
  return (received() * 1000) / (performance.now() - start);
}

/**
 * The direct channel against a raw wrtc DataChannel, in `rounds` rounds: latency measured on both
 * at once, interleaved, then the 1:1 rates one after the other, alternating which goes first.
 * Both live side by side for the whole run, in this process beside the same two room peers, so
 * load that comes and goes on the machine reaches both alike and each round's ratio compares
 * like with like.
 */
export async function compareDirect(sender: Room, receiver: Room, rounds: number, onRound?: (round: DirectRound) => void): Promise<DirectRound[]> {
  const [channel, incoming] = await openPair(sender, receiver);
  const p2p = await p2pPair();
  // One listener each, redirected per run, so earlier runs' listeners do not linger.
  let onDirect: (payload: Uint8Array) => void = () => undefined;
  let onP2p: (payload: Uint8Array) => void = () => undefined;
  incoming.on('message', (message) => onDirect(message.data as Uint8Array));
  p2p.receiver.channel.onmessage = (event: MessageEvent<ArrayBuffer>) => onP2p(new Uint8Array(event.data));
  const payload = stampedPayload();
  const counted = (path: 'direct' | 'p2p'): (() => number) => {
    let received = 0;
    const count = (): void => void (received += 1);
    if (path === 'direct') onDirect = count;
    else onP2p = count;
    return () => received;
  };
  const latencyPaths: Record<'direct' | 'p2p', LatencyPath> = {
    direct: { send: (bytes) => channel.send('bench', bytes), receive: (listener) => (onDirect = listener) },
    p2p: { send: (bytes) => p2p.sender.channel.send(bytes), receive: (listener) => (onP2p = listener) },
  };
  const rates = {
    direct: () => rate(() => channel.send('bench', payload), counted('direct')),
    p2p: () => rate(() => p2pSend(p2p.sender.channel, payload), counted('p2p')),
  };
  const results: DirectRound[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? (['direct', 'p2p'] as const) : (['p2p', 'direct'] as const);
      const [first, second] = await interleavedLatency([latencyPaths[order[0]], latencyPaths[order[1]]]);
      const latency = { [order[0]]: first, [order[1]]: second } as Record<'direct' | 'p2p', LatencyResult>;
      const rate = { [order[0]]: await rates[order[0]](), [order[1]]: await rates[order[1]]() } as Record<'direct' | 'p2p', number>;
      const round = { direct: latency.direct, p2p: latency.p2p, directRate: rate.direct, p2pRate: rate.p2p };
      results.push(round);
      onRound?.(round);
    }
    return results;
  } finally {
    p2p.sender.close();
    p2p.receiver.close();
    channel.close();
  }
}

interface LatencyPath {
  send: (payload: Uint8Array<ArrayBuffer>) => unknown;
  receive: (listener: (payload: Uint8Array) => void) => void;
}

/**
 * One-way latency of two paths measured at once: their messages alternate, each path at
 * {@link LATENCY_RATE} and half a slot apart, so both see the same load on the machine at the
 * same moments (sequential runs of ten seconds each did not, on a shared machine).
 */
async function interleavedLatency(paths: [LatencyPath, LatencyPath]): Promise<[LatencyResult, LatencyResult]> {
  const samples: [number[], number[]] = [[], []];
  let measuredSince = Infinity;
  paths.forEach(({ receive }, i) =>
    receive((payload) => {
      const stamp = stampOf(payload);
      if (stamp >= measuredSince) samples[i]!.push(performance.now() - stamp);
    }),
  );
  let next = 0;
  const send = (): unknown => paths[next++ % 2]!.send(stampedPayload());
  await paced(send, 2 * LATENCY_RATE, 2 * WARM_UP_MESSAGES);
  await sleep(100);
  measuredSince = performance.now();
  await paced(send, 2 * LATENCY_RATE, 2 * LATENCY_MESSAGES);
  const deadline = performance.now() + SETTLE_MS;
  while (samples[0].length + samples[1].length < 2 * LATENCY_MESSAGES && performance.now() < deadline) await sleep(20);
  return [{ ...percentiles(samples[0]), sent: LATENCY_MESSAGES }, { ...percentiles(samples[1]), sent: LATENCY_MESSAGES }];
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
    const rounds = await compareDirect(sender, receiver, DATA_ROUNDS);
    let relayed = 0;
    receiver.on('message', () => (relayed += 1));
    const serverRate = await rate(() => sender.send('bench', stampedPayload(), { to: receiver.peerId }), () => relayed);
    return { open: percentiles(opens), rounds, serverRate };
  } finally {
    await leaveAll([sender, receiver]);
  }
}

// The SDK's watermarks, so the baseline sender waits as the SDK's do.
async function p2pSend(channel: RTCDataChannel, payload: Uint8Array<ArrayBuffer>): Promise<void> {
  if (channel.bufferedAmount > 1024 * 1024) {
    while (channel.bufferedAmount > 256 * 1024) await sleep(10);
  }
  channel.send(payload);
}
