// A cluster node's bus in a process of its own, so a test can kill it with SIGKILL like a crash.
// Usage: bus-node-process.ts <redis url> <key prefix> <node id> <room> <peer id>...
// BUS_HEARTBEAT_MS and BUS_NODE_TTL_MS override the fast test timings.
import { FAST, Recorder, peer, redisBus } from './bus-support.js';

const [url, prefix, nodeId, room, ...peerIds] = process.argv.slice(2) as [string, string, string, string, ...string[]];
const bus = await redisBus(url, nodeId, prefix, {
  heartbeatMs: Number(process.env.BUS_HEARTBEAT_MS ?? FAST.heartbeatMs),
  nodeTtlMs: Number(process.env.BUS_NODE_TTL_MS ?? FAST.nodeTtlMs),
});
const channel = await bus.openRoom(room, new Recorder());
for (const id of peerIds) await channel.putPeer(peer(id, nodeId));
process.stdout.write('ready\n');
