import type { ServerProcess } from '../support/server-process.js';
import type { ConnectOptions, SendOptions } from '@switchboard/sdk';
import { joinRoom, leaveAll } from '../support/sdk-peer.js';
import { percentiles, type Percentiles } from '../support/stats.js';
import { sleep } from '../support/time.js';
import { stampedPayload, stampOf } from './payload.js';
import { paced } from './pump.js';

/** Messages measured per latency run, and their rate: ~10 s, far below any throughput limit. */
export const LATENCY_MESSAGES = 2000;
export const LATENCY_RATE = 200;
/** Sent first and not measured: the first messages on a fresh channel pay one-off set-up costs. */
export const WARM_UP_MESSAGES = 100;
/** How long stragglers may take after the last message was sent. */
export const SETTLE_MS = 2_000;

/** One-way latency of one path, in ms, with how many of the measured messages were sent. */
export interface LatencyResult extends Percentiles {
  sent: number;
}

/**
 * Sends stamped payloads with `send` at {@link LATENCY_RATE} and measures their age when they
 * come back through `receive`, which registers the receiving end's listener. Both ends are in
 * this process, so one clock times them.
 */
export async function measureLatency(
  send: (payload: Uint8Array<ArrayBuffer>) => unknown,
  receive: (listener: (payload: Uint8Array) => void) => void,
): Promise<LatencyResult> {
  const samples: number[] = [];
  // Warm-up messages may still arrive after measuring starts (retransmitted, on a lossy path):
  // only messages stamped since then count.
  let measuredSince = Infinity;
  receive((payload) => {
    const stamp = stampOf(payload);
    if (stamp >= measuredSince) samples.push(performance.now() - stamp);
  });
  await paced(() => send(stampedPayload()), LATENCY_RATE, WARM_UP_MESSAGES);
  await sleep(100);
  measuredSince = performance.now();
  await paced(() => send(stampedPayload()), LATENCY_RATE, LATENCY_MESSAGES);
  const deadline = performance.now() + SETTLE_MS;
  while (samples.length < LATENCY_MESSAGES && performance.now() < deadline) await sleep(20);
  return { ...percentiles(samples), sent: LATENCY_MESSAGES };
}

/** Rounds of the 1:1 latency rows in bench:data: one run of a path can be off by ±30 %. */
export const LATENCY_ROUNDS = 3;

/**
 * Runs every path `rounds` times, in an order that alternates between rounds so that no path
 * always follows the same one, and gives each path its median p50 and p99 over the rounds (and
 * all rounds' counts): a ratio between two paths then compares runs of the same minutes.
 */
export async function alternatedLatency<K extends string>(rounds: number, paths: Record<K, () => Promise<LatencyResult>>): Promise<Record<K, LatencyResult>> {
  const names = Object.keys(paths) as K[];
  const runs = new Map<K, LatencyResult[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) runs.get(name)!.push(await paths[name]());
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const result = {} as Record<K, LatencyResult>;
  for (const [name, list] of runs) {
    result[name] = {
      p50: median(list.map((r) => r.p50)),
      p99: median(list.map((r) => r.p99)),
      count: list.reduce((sum, r) => sum + r.count, 0),
      sent: list.reduce((sum, r) => sum + r.sent, 0),
    };
  }
  return result;
}

/** SDK options of a run: the defaults (as users call it) unless a row says otherwise. */
export interface SdkVariant {
  connect?: ConnectOptions;
  send?: SendOptions;
}

/**
 * One-to-one through the server: two SDK peers in this process, the message addressed to the
 * other, at the SDK's default options unless `variant` says otherwise. With `receiverServer`
 * (another node of the sender's cluster) the receiver joins there.
 */
export async function sdkLatency(server: ServerProcess, receiverServer = server, room = 'latency', variant: SdkVariant = {}): Promise<LatencyResult> {
  const sender = await joinRoom(server.wsUrl, await server.token(room, 'sender'), variant.connect);
  const receiver = await joinRoom(receiverServer.wsUrl, await receiverServer.token(room, 'receiver'), variant.connect);
  try {
    return await measureLatency(
      // Not awaited: a paced sender does not wait for one message before the next is due.
      (payload) => void sender.send('bench', payload, { ...variant.send, to: receiver.peerId }).catch(() => undefined),
      (listener) => receiver.on('message', (message) => listener(message.data as Uint8Array)),
    );
  } finally {
    await leaveAll([sender, receiver]);
  }
}

/**
 * How long `await send(..., { receipt: true })` takes: from the call to the server's verdict,
 * one round trip (the message over the data channel, the ack over the signaling socket) plus
 * the server's processing; paced like {@link sdkLatency}, each send awaited.
 */
export async function receiptTime(server: ServerProcess): Promise<LatencyResult> {
  const sender = await joinRoom(server.wsUrl, await server.token('receipts', 'sender'));
  const receiver = await joinRoom(server.wsUrl, await server.token('receipts', 'receiver'));
  const samples: number[] = [];
  const timed = async (): Promise<void> => {
    const start = performance.now();
    await sender.send('bench', stampedPayload(), { to: receiver.peerId, receipt: true });
    samples.push(performance.now() - start);
  };
  try {
    await paced(timed, LATENCY_RATE, WARM_UP_MESSAGES);
    samples.length = 0;
    await paced(timed, LATENCY_RATE, LATENCY_MESSAGES);
    return { ...percentiles(samples), sent: LATENCY_MESSAGES };
  } finally {
    await leaveAll([sender, receiver]);
  }
}
