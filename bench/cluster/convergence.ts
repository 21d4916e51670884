import type { Room } from '@switchboard/sdk';
import { joinAll, leaveAll } from '../support/sdk-peer.js';
import { withTimeout } from '../support/time.js';
import type { BenchCluster } from './cluster-nodes.js';

// A dead node is noticed after the node TTL (5 s by default); anything far beyond is a failure.
const CONVERGENCE_TIMEOUT_MS = 30_000;

/**
 * Membership convergence after a crash: `peersPerNode` SDK peers (in this process) on each of
 * the first two nodes of `cluster` and on a fresh third node, all in one room; the third node
 * is killed (SIGKILL, Node process and worker) and the result is the time, in ms, until every
 * peer on the other nodes has had `peerLeft` for every peer of the dead node.
 */
export async function convergenceAfterKill(cluster: BenchCluster, peersPerNode: number, run: number): Promise<number> {
  const [a, b] = cluster.nodes;
  const victim = await cluster.addNode();
  const room = `convergence-${run}`;
  const join = async (node: typeof victim, tag: string) =>
    joinAll(node.wsUrl, await Promise.all(Array.from({ length: peersPerNode }, (_, i) => node.token(room, `${tag}-${i}`))));
  const survivors: Room[] = [...(await join(a!, 'a')), ...(await join(b!, 'b'))];
  let doomed: Room[] = [];
  try {
    doomed = await join(victim, 'victim');
    const doomedIds = new Set(doomed.map((peer) => peer.peerId));
    const everyoneSaw = Promise.all(
      survivors.map(
        (peer) =>
          new Promise<void>((resolve) => {
            const pending = new Set(doomedIds);
            peer.on('peerLeft', ({ peer: left }) => {
              pending.delete(left.id);
              if (pending.size === 0) resolve();
            });
          }),
      ),
    );
    const killedAt = performance.now();
    await victim.kill();
    await withTimeout(everyoneSaw, CONVERGENCE_TIMEOUT_MS, 'peerLeft for every peer of the killed node');
    return performance.now() - killedAt;
  } finally {
    await leaveAll(survivors);
    // The dead node's peers are only closed here: they may be trying to resume meanwhile.
    await leaveAll(doomed);
  }
}
