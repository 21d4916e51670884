import { ProcessMeter, type ProcessUse } from '../support/proc.js';
import { PAYLOAD_BYTES } from './payload.js';
import { flood, paced, type Drive } from './pump.js';
import type { ReceiverHost } from './receivers.js';

/** How long a flood may last, and how many messages it may send at most. */
const FLOOD_MAX_MS = 3_000;
const FLOOD_MAX_MESSAGES = 30_000;
// A paced run's length, and the fractions of the flood's delivered rate tried when the flood
// was not steady.
const PACED_SECONDS = 2;
const PACED_FRACTIONS = [0.9, 0.65, 0.45];
// After sending, how long receivers may take to catch up (a receiver that fell behind resumes
// and gets a replay, which can take many seconds), and how long a silence ends the wait: 50
// receivers reconnecting at once in one process stay silent for more than 5 s, and a 5 s silence
// ended the count of a flood that still delivered everything (all 1,348,450 with 20 s).
const DRAIN_TIMEOUT_MS = 40_000;
const DRAIN_IDLE_MS = 20_000;
// A run that follows a flood may find receivers still resuming (50 reconnecting at once in one
// process took more than 5 s): the warm-up waits for them, so the run starts with all live.
const WARM_UP_TIMEOUT_MS = 30_000;

/** Sends one message (a 200-byte payload) to every receiver, waiting while backpressure says so. */
export type FanoutSend = (payload: Uint8Array<ArrayBuffer>) => Promise<void>;

/** Outcome of one one-to-many run. */
export interface FanoutResult {
  receivers: number;
  /** Messages the sender got out (a peer-to-peer mesh sends each one once per receiver). */
  sent: number;
  /** Messages per second the sender got out. */
  sendRate: number;
  /** `sent × receivers`. */
  expected: number;
  /** Messages the receivers got, all together. */
  delivered: number;
  /** From the first send to the last delivery. */
  seconds: number;
  deliveriesPerSecond: number;
  /** Times a receiver reconnected to resume (the server makes one that fell behind do so); 0 peer-to-peer. */
  resumes: number;
  /** Receivers lost for good during the run. */
  disconnects: number;
  /** CPU and UDP drops by process, from the first send until the receivers were done. */
  use: ProcessUse;
}

/** A flood, the paced runs tried if it was not steady, and the fastest steady run. */
export interface FanoutRuns<R extends FanoutResult> {
  flood: R;
  paced: R[];
  /** The flood or a paced run in which every message arrived and no receiver had to resume; undefined if none. */
  steady: R | undefined;
}

let nextTag = 1;

/**
 * One sender sends to `receivers` peers hosted by `host` with `send`; `drive` is the sending
 * loop. A first message checks that every receiver gets messages before the clock starts. Each
 * run tags its payloads (first byte), so late messages of an earlier run are not counted. CPU
 * and UDP drops are measured for this process (`sender`), the host (`receivers`) and `pids`.
 */
export async function measureFanout(
  host: ReceiverHost,
  receivers: number,
  send: FanoutSend,
  drive: Drive,
  pids: Record<string, number> = {},
): Promise<FanoutResult> {
  const warmUp = tagged();
  await send(warmUp);
  const ready = await host.call('collect', { tag: warmUp[0]!, expected: receivers, timeoutMs: WARM_UP_TIMEOUT_MS, idleMs: WARM_UP_TIMEOUT_MS });
  if (ready.count !== receivers) throw new Error(`only ${ready.count} of ${receivers} receivers got the warm-up message`);

  const payload = tagged();
  const meter = new ProcessMeter({ sender: process.pid, receivers: host.pid, ...pids });
  const startedAt = now();
  const { sent, seconds: sendSeconds } = await drive(() => send(payload));
  const expected = sent * receivers;
  const collected = await host.call('collect', { tag: payload[0]!, expected, timeoutMs: DRAIN_TIMEOUT_MS, idleMs: DRAIN_IDLE_MS });
  const use = meter.read();
  if (collected.count === 0) throw new Error(`none of ${expected} messages reached the receivers`);
  const seconds = (collected.lastAt - startedAt) / 1000;
  return {
    receivers,
    sent,
    sendRate: sent / sendSeconds,
    expected,
    delivered: collected.count,
    seconds,
    deliveriesPerSecond: collected.count / seconds,
    resumes: collected.resumes,
    disconnects: collected.disconnects,
    use,
  };
}

/**
 * Runs `measure` with a flood (as fast as backpressure allows, bounded in count and time). If
 * the flood was not steady (a message lost, or a receiver made to resume because it fell
 * behind), paced runs at decreasing fractions of what the flood delivered look for the fastest
 * steady rate.
 */
export async function floodThenSteady<R extends FanoutResult>(measure: (drive: Drive) => Promise<R>): Promise<FanoutRuns<R>> {
  const flooded = await measure((send) => flood(send, FLOOD_MAX_MESSAGES, FLOOD_MAX_MS));
  const runs: FanoutRuns<R> = { flood: flooded, paced: [], steady: undefined };
  if (isSteady(flooded)) return { ...runs, steady: flooded };
  const top = Math.min(flooded.sendRate, flooded.deliveriesPerSecond / flooded.receivers);
  for (const fraction of PACED_FRACTIONS) {
    const rate = Math.floor(top * fraction);
    const run = await measure((send) => paced(send, rate, rate * PACED_SECONDS));
    runs.paced.push(run);
    if (isSteady(run)) return { ...runs, steady: run };
  }
  return runs;
}

function isSteady(run: FanoutResult): boolean {
  return run.delivered === run.expected && run.resumes === 0 && run.disconnects === 0;
}

/** A 200-byte payload whose first byte is a fresh run tag. */
function tagged(): Uint8Array<ArrayBuffer> {
  const payload = new Uint8Array(PAYLOAD_BYTES);
  payload[0] = nextTag++ % 256;
  return payload;
}

/** Epoch ms with sub-ms precision, comparable with the receiver host's. */
function now(): number {
  return performance.timeOrigin + performance.now();
}
