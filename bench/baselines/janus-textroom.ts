// Janus TextRoom 1.1.2 as an outside baseline for Switchboard's data relay, measured the way
// issue 19's harness and `bench:compare` measure Switchboard: 200-byte messages on this machine,
// Node @roamhq/wrtc clients, a sender awaiting each send, receivers in a child process.
//
//   bash bench/baselines/install-janus.sh        (once, as root: apt-get install janus)
//   bash scripts/with-node.sh node --conditions=source --import tsx bench/baselines/janus-textroom.ts
//
// Prints Markdown tables, then one JSON line (what `npm run bench:compare <ref> --janus` reads).
// See docs/benchmarks.md, "Janus TextRoom baseline".
import { fileURLToPath } from 'node:url';
import { ChildHost } from '../support/child-host.js';
import { processCpuSeconds } from '../support/proc.js';
import { runMain } from '../support/run-main.js';
import { fmt, percentiles, printTable, type Percentiles } from '../support/stats.js';
import { sleep, withTimeout } from '../support/time.js';
import { JanusSession, TextRoomPeer, type TextRoomMessage } from './janus-client.js';
import type { ReceiverCalls } from './janus-receivers.js';
import { startJanus, type JanusServer } from './janus-server.js';

const TEXT_BYTES = 200;
const PING_PONG_WARM_UP = 100;
const PING_PONG_ROUND_TRIPS = 1000;
const ROUND_TRIP_TIMEOUT_MS = 5_000;
// One-way latency exactly as bench/compare/driver.ts measures Switchboard's: 1000 messages at a
// chat's pace (200/s) after 100 of warm-up, sender and receiver in this process.
const ONE_WAY_MESSAGES = 1000;
const ONE_WAY_RATE = 200;
// As driver.ts: a fan-out run ends after 3 s or 100k deliveries, whichever comes first.
const FANOUT_MAX_DELIVERIES = 100_000;
const FANOUT_MAX_MS = 3_000;
// With `ack: false` nothing paces the sender but the channel: it waits while this much is queued.
const SEND_BUFFER_HIGH = 1 << 20;
const JOIN_TIMEOUT_MS = 180_000;
const COLLECT_TIMEOUT_MS = 60_000;
const WATCHDOG_MS = 8 * 60_000;

/** One fan-out row, with the fields (and meaning) of driver.ts's. */
export interface FanoutRow {
  deliveriesPerSecond: number;
  sendRate: number;
  delivered: number;
  expected: number;
  /** Janus's CPU (all threads) per 100k deliveries, seconds. */
  serverCpuPer100k: number;
}

/** What one run measures; `bench:compare --janus` maps it onto its rows (janus-compare.ts). */
export interface JanusResult {
  janus: string;
  node: string;
  iceAddress: string;
  /** 1:1 targeted ping-pong (`ack: false`), RTT/2 in ms. */
  pingPong: Percentiles;
  /** 1:1 targeted one-way latency at 200 msg/s (`ack: true`, not awaited), ms. */
  latency: Percentiles & { sent: number };
  fanout10Ack: FanoutRow;
  fanout50Ack: FanoutRow;
  fanout10NoAck: FanoutRow;
  fanout50NoAck: FanoutRow;
}

let nextRoom = 1;

/** `prefix` then padding: every message's text is TEXT_BYTES long. */
function text(prefix: string): string {
  return prefix + 'x'.repeat(Math.max(0, TEXT_BYTES - prefix.length));
}

async function joinedPeer(session: JanusSession, janus: JanusServer, room: number, username: string): Promise<TextRoomPeer> {
  const peer = await TextRoomPeer.connect(session, janus.iceAddress);
  await peer.join(room, username);
  return peer;
}

/** RTT/2 of targeted messages bounced back by the other peer, one in flight at a time. */
async function pingPong(session: JanusSession, janus: JanusServer): Promise<Percentiles> {
  const room = nextRoom++;
  await session.createRoom(room);
  const [a, b] = [await joinedPeer(session, janus, room, 'a'), await joinedPeer(session, janus, room, 'b')];
  try {
    b.onMessage = ({ from, text: body }) => b.post({ textroom: 'message', room, to: from, text: body, ack: false });
    let answered: ((message: TextRoomMessage) => void) | undefined;
    a.onMessage = (message) => answered?.(message);
    const halves: number[] = [];
    for (let i = 0; i < PING_PONG_WARM_UP + PING_PONG_ROUND_TRIPS; i++) {
      const back = new Promise<TextRoomMessage>((resolve) => (answered = resolve));
      const start = performance.now();
      a.post({ textroom: 'message', room, to: 'b', text: text(`${i}:`), ack: false });
      await withTimeout(back, ROUND_TRIP_TIMEOUT_MS, `round trip ${i}`);
      if (i >= PING_PONG_WARM_UP) halves.push((performance.now() - start) / 2);
    }
    return percentiles(halves);
  } finally {
    a.close();
    b.close();
  }
}

/** One-way latency of targeted messages at a chat's pace, as driver.ts measures Switchboard's. */
async function oneWay(session: JanusSession, janus: JanusServer): Promise<JanusResult['latency']> {
  const room = nextRoom++;
  await session.createRoom(room);
  const [sender, receiver] = [await joinedPeer(session, janus, room, 'sender'), await joinedPeer(session, janus, room, 'receiver')];
  try {
    const samples: number[] = [];
    let measuring = false;
    receiver.onMessage = ({ text: body }) => measuring && samples.push(performance.now() - Number(body.slice(0, body.indexOf(':'))));
    const run = async (count: number): Promise<void> => {
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        const due = start + (i * 1000) / ONE_WAY_RATE;
        if (due > performance.now()) await sleep(due - performance.now());
        // TextRoom's default `ack: true`, not awaited: a chat sender does not wait to type on.
        sender.request({ textroom: 'message', room, to: 'receiver', text: text(`${performance.now()}:`) }).catch(() => undefined);
      }
    };
    await run(100);
    await sleep(200);
    measuring = true;
    await run(ONE_WAY_MESSAGES);
    const deadline = Date.now() + 3000;
    while (samples.length < ONE_WAY_MESSAGES && Date.now() < deadline) await sleep(20);
    return { ...percentiles(samples), sent: ONE_WAY_MESSAGES };
  } finally {
    sender.close();
    receiver.close();
  }
}

/** `receivers` peers in the child; a sender here awaiting each public message (`ack` or not). */
async function fanout(session: JanusSession, janus: JanusServer, host: ChildHost<ReceiverCalls>, receivers: number, ack: boolean): Promise<FanoutRow> {
  const room = nextRoom++;
  await session.createRoom(room);
  await host.call('join', { wsUrl: janus.wsUrl, iceAddress: janus.iceAddress, room, count: receivers }, JOIN_TIMEOUT_MS);
  const sender = await joinedPeer(session, janus, room, 'sender');
  try {
    // TextRoom also sends a public message back to its sender: counted by nobody, paid by Janus.
    await sender.request({ textroom: 'message', room, text: text('warm-up:') });
    const ready = await host.call('collect', { tag: 'warm-up', expected: receivers }, COLLECT_TIMEOUT_MS);
    if (ready.count !== receivers) throw new Error(`${ready.count} of ${receivers} receivers got the warm-up message`);
    const tag = `run${room}`;
    const send = async (seq: number): Promise<void> => {
      const body = { textroom: 'message', room, text: text(`${tag}:${seq}:`) };
      if (ack) return sender.request(body);
      while (sender.bufferedAmount > SEND_BUFFER_HIGH) await sleep(1);
      sender.post({ ...body, ack: false });
    };
    const cpuBefore = processCpuSeconds(janus.pid);
    const start = performance.now();
    const startEpoch = performance.timeOrigin + start;
    let sent = 0;
    while (sent < FANOUT_MAX_DELIVERIES / receivers && performance.now() - start < FANOUT_MAX_MS) await send(sent++);
    const sendSeconds = (performance.now() - start) / 1000;
    const collected = await host.call('collect', { tag, expected: sent * receivers }, COLLECT_TIMEOUT_MS);
    const cpu = processCpuSeconds(janus.pid) - cpuBefore;
    return {
      deliveriesPerSecond: collected.count / ((collected.lastAt - startEpoch) / 1000),
      sendRate: sent / sendSeconds,
      delivered: collected.count,
      expected: sent * receivers,
      serverCpuPer100k: (cpu / Math.max(1, collected.count)) * 100_000,
    };
  } finally {
    sender.close();
    await host.call('clear', {}, COLLECT_TIMEOUT_MS);
  }
}

function report(result: JanusResult): void {
  const title = `Janus TextRoom ${result.janus}, Node ${result.node}, 200-byte messages, ICE on ${result.iceAddress} (local)`;
  printTable(`${title}: 1:1 latency, ms`, ['row', 'p50', 'p99', 'samples'], [
    ['targeted ping-pong, RTT/2 (`ack: false`)', fmt(result.pingPong.p50, 3), fmt(result.pingPong.p99, 3), String(result.pingPong.count)],
    ['targeted one-way at 200 msg/s (`ack: true`, as bench:compare)', fmt(result.latency.p50, 3), fmt(result.latency.p99, 3), `${result.latency.count}/${result.latency.sent}`],
  ]);
  const rows: [string, FanoutRow][] = [
    ['1 → 10, awaited `ack: true` (TextRoom default)', result.fanout10Ack],
    ['1 → 50, awaited `ack: true` (TextRoom default)', result.fanout50Ack],
    ['1 → 10, `ack: false`, sent on the channel', result.fanout10NoAck],
    ['1 → 50, `ack: false`, sent on the channel', result.fanout50NoAck],
  ];
  printTable(
    `${title}: one sender to N receivers`,
    ['row', 'deliveries/s', 'sends/s', 'delivered', 'Janus CPU s / 100k deliveries'],
    rows.map(([name, row]) => [name, fmt(row.deliveriesPerSecond), fmt(row.sendRate), `${row.delivered}/${row.expected}`, fmt(row.serverCpuPer100k, 2)]),
  );
  console.log('');
}

let janus: JanusServer | undefined;
let host: ChildHost<ReceiverCalls> | undefined;
let session: JanusSession | undefined;

async function main(): Promise<void> {
  janus = await startJanus();
  host = ChildHost.start<ReceiverCalls>(fileURLToPath(new URL('./janus-receivers.ts', import.meta.url)), 'Janus receivers');
  session = await JanusSession.open(janus.wsUrl);
  const result: JanusResult = {
    janus: janus.version,
    node: process.version,
    iceAddress: janus.iceAddress,
    pingPong: await pingPong(session, janus),
    latency: await oneWay(session, janus),
    fanout10Ack: await fanout(session, janus, host, 10, true),
    fanout50Ack: await fanout(session, janus, host, 50, true),
    fanout10NoAck: await fanout(session, janus, host, 10, false),
    fanout50NoAck: await fanout(session, janus, host, 50, false),
  };
  report(result);
  console.log(JSON.stringify(result));
}

runMain(main, {
  cleanUp: async () => {
    session?.close();
    await host?.stop();
    await janus?.stop();
  },
  watchdog: { ms: WATCHDOG_MS, what: 'the Janus TextRoom baseline', onFire: () => host?.kill() },
});
