import type { FanoutResult, FanoutRuns } from '../data/fanout.js';
import { floodThenSteady, measureFanout } from '../data/fanout.js';
import type { ReceiverHost } from '../data/receivers.js';
import { joinRoom } from '../support/sdk-peer.js';
import type { ServerProcess } from '../support/server-process.js';
import { nodePids } from './cluster-nodes.js';

/**
 * One SDK sender on the first node broadcasts 200-byte reliable messages to `receivers` SDK
 * peers of the same room, spread evenly over `nodes` of one cluster (receiver i on node
 * i mod n), hosted by `host`: a flood, then paced runs if it was not steady. CPU is measured
 * for every node's Node process and mediasoup worker, and for the cluster's Redis (`redisPid`).
 */
export async function nodeFanout(nodes: readonly ServerProcess[], redisPid: number, host: ReceiverHost, receivers: number): Promise<FanoutRuns<FanoutResult>> {
  const room = `cluster-fanout-${nodes.length}-${receivers}`;
  for (const [n, node] of nodes.entries()) {
    const identities = Array.from({ length: receivers }, (_, i) => i).filter((i) => i % nodes.length === n);
    const tokens = await Promise.all(identities.map((i) => node.token(room, `receiver-${i}`)));
    // One node after another: the host joins one token at a time anyway (see joinAll).
    await host.call('join', { wsUrl: node.wsUrl, tokens });
  }
  const first = nodes[0]!;
  const sender = await joinRoom(first.wsUrl, await first.token(room, 'sender'));
  try {
    const send = (payload: Uint8Array) => sender.send('bench', payload);
    return await floodThenSteady((drive) => measureFanout(host, receivers, send, drive, { ...nodePids(nodes), redis: redisPid }));
  } finally {
    await sender.leave().catch(() => undefined);
    await host.call('clear', {});
  }
}

/**
 * Deliveries per CPU-second of the busiest node (its Node process and worker together) in
 * `run`: what the nodes could carry with the cores of a machine each, as no node here has.
 */
export function nodesCapacity(run: FanoutResult, nodes: number): number {
  const perNode = Array.from({ length: nodes }, (_, i) =>
    Object.entries(run.use.cpu)
      .filter(([name]) => name.startsWith(`node ${i + 1} `))
      .reduce((sum, [, seconds]) => sum + seconds, 0),
  );
  return run.delivered / Math.max(...perNode);
}
