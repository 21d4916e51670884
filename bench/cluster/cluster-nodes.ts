import { startTestRedis, type TestRedis } from '../../packages/server/test/support/redis-server.js';
import { ServerProcess } from '../support/server-process.js';

/**
 * A Redis of the bench's own (free loopback port, stopped by its PID) and the server processes
 * started on it as nodes of one cluster, each with one mediasoup worker and the default
 * heartbeat and node TTL (1 s and 5 s), so figures are those of a default deployment.
 */
export class BenchCluster {
  readonly nodes: ServerProcess[] = [];
  private nextNode = 1;

  private constructor(private readonly redis: TestRedis) {}

  static async start(nodes: number): Promise<BenchCluster> {
    const cluster = new BenchCluster(await startTestRedis());
    try {
      for (let i = 0; i < nodes; i++) await cluster.addNode();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Starts one more node and resolves once it has joined the cluster. */
  async addNode(): Promise<ServerProcess> {
    const flags = ['--redis-url', this.redis.url, '--node-id', `bench-${this.nextNode++}`];
    const node = await ServerProcess.start(flags, ['joined the cluster']);
    this.nodes.push(node);
    return node;
  }

  /** The redis-server's PID, for a CPU meter. */
  get redisPid(): number {
    return this.redis.pid!;
  }

  /** Stops every node, then Redis. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
    await this.redis.close();
  }
}

/** CPU-meter PIDs of `nodes`: each one's Node process and mediasoup worker, named `node <n> …`. */
export function nodePids(nodes: readonly ServerProcess[]): Record<string, number> {
  const pids: Record<string, number> = {};
  nodes.forEach((node, i) => {
    for (const [name, pid] of Object.entries(node.pids)) pids[`node ${i + 1} ${name}`] = pid;
  });
  return pids;
}
