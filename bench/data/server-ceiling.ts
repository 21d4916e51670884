import { routerCeiling } from '../support/router-ceiling.js';

/** Result of one ceiling run. */
export interface CeilingResult {
  receivers: number;
  messages: number;
  deliveriesPerSecond: number;
  messagesPerSecond: number;
  /** Worker CPU plus this process's CPU per 100k deliveries. */
  cpuSecondsPer100k: number;
  /** The worker's share of it: routing and fan-out, without any WebRTC sending. */
  workerCpuSecondsPer100k: number;
}

/**
 * The server's own ceiling for one-to-many on one worker, with receivers that are in-process
 * DirectTransport DataConsumers instead of WebRTC peers, so no peer limits the figure.
 */
export async function serverCeiling(receiverCount: number, messages: number, payloadBytes = 200): Promise<CeilingResult> {
  const run = await routerCeiling(1, receiverCount, messages, payloadBytes);
  const worker = run.workerCpuPer100k[0] ?? 0;
  return {
    receivers: receiverCount,
    messages,
    deliveriesPerSecond: run.deliveriesPerSecond,
    messagesPerSecond: run.deliveriesPerSecond / receiverCount,
    cpuSecondsPer100k: run.nodeCpuPer100k + worker,
    workerCpuSecondsPer100k: worker,
  };
}
