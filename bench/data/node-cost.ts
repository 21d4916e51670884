import type { ConnectOptions } from '@switchboard/sdk';
import { ProcessMeter } from '../support/proc.js';
import { joinRoom, leaveAll } from '../support/sdk-peer.js';
import type { ServerProcess } from '../support/server-process.js';
import { PAYLOAD_BYTES } from './payload.js';
import { flood, paced, type Drive } from './pump.js';

// A flood long enough to swamp start-up noise, and an isolated run slow enough that no two
// messages share an event-loop turn on the server (no batching of any kind can help it).
const FLOOD_MAX_MESSAGES = 20_000;
const FLOOD_MAX_MS = 4_000;
const ISOLATED_RATE = 100;
const ISOLATED_MESSAGES = 500;
const DRAIN_TIMEOUT_MS = 10_000;

/** Node CPU the server spent per message a peer sent it, for one way of sending. */
export interface NodeCostRun {
  /** Messages the server counted in (`switchboard_messages_in_total`). */
  messagesIn: number;
  /** CPU seconds of the server's Node process over the run. */
  nodeSeconds: number;
  /** CPU seconds of the mediasoup worker over the run. */
  workerSeconds: number;
  /** Messages the receiver got. */
  received: number;
  /** From the first send to the last message received, in seconds. */
  seconds: number;
}

/** {@link NodeCostRun} for a targeted 1:1 flood and for isolated messages. */
export interface NodeCost {
  flood: NodeCostRun;
  isolated: NodeCostRun;
  /** Node CPU seconds per second with both peers joined and silent (timers, keep-alives, stats). */
  idleNodeShare: number;
  /** How long the isolated run lasted, in seconds, to take its idle share out. */
  isolatedSeconds: number;
}

const IDLE_MS = 3_000;

/**
 * Node CPU per incoming message: one SDK peer sends 200-byte reliable messages to another (both
 * in this process) through the server, first as fast as backpressure allows, then at
 * {@link ISOLATED_RATE}/s. Measured on the server's own processes, so the load other processes
 * put on the machine changes the wall time but hardly the CPU per message.
 */
export async function nodeCost(server: ServerProcess, senderOptions: ConnectOptions = {}): Promise<NodeCost> {
  const sender = await joinRoom(server.wsUrl, await server.token('node-cost', 'sender'), senderOptions);
  const receiver = await joinRoom(server.wsUrl, await server.token('node-cost', 'receiver'));
  let received = 0;
  let lastReceivedAt = 0;
  receiver.on('message', () => {
    received++;
    lastReceivedAt = performance.now();
  });
  const payload = new Uint8Array(PAYLOAD_BYTES);
  // At default options: resolves once the message is handed to the channel.
  const send = () => sender.send('bench', payload, { to: receiver.peerId });
  const run = async (drive: Drive): Promise<NodeCostRun> => {
    received = 0;
    const inBefore = await messagesIn(server);
    const meter = new ProcessMeter(server.pids);
    const runStarted = performance.now();
    const { sent } = await drive(send);
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (received < sent && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const use = meter.read();
    return {
      messagesIn: (await messagesIn(server)) - inBefore,
      nodeSeconds: use.cpu['server Node'] ?? NaN,
      workerSeconds: use.cpu['mediasoup worker'] ?? NaN,
      received,
      seconds: (lastReceivedAt - runStarted) / 1000,
    };
  };
  try {
    await paced(send, 1000, 200);
    const idle = new ProcessMeter(server.pids);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idleNodeShare = (idle.read().cpu['server Node'] ?? NaN) / (IDLE_MS / 1000);
    const floodRun = await run((fn) => flood(fn, FLOOD_MAX_MESSAGES, FLOOD_MAX_MS));
    const started = performance.now();
    const isolated = await run((fn) => paced(fn, ISOLATED_RATE, ISOLATED_MESSAGES));
    return { flood: floodRun, isolated, idleNodeShare, isolatedSeconds: (performance.now() - started) / 1000 };
  } finally {
    await leaveAll([sender, receiver]);
  }
}

async function messagesIn(server: ServerProcess): Promise<number> {
  const byChannel = await server.counter('switchboard_messages_in_total', 'channel');
  return Object.values(byChannel).reduce((a, b) => a + b, 0);
}
