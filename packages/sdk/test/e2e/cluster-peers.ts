import { AccessToken } from '../../../server/src/auth/access-token.js';
import { DEV_SECRETS } from '../../../server/src/config.js';
import { startClusterNodes, stopClusterNodes, type ClusterNode } from '../../../server/test/support/cluster-harness.js';
import { startTestRedis, type TestRedis } from '../../../server/test/support/redis-server.js';
import type { GrantName } from '../../src/protocol/index.js';
import { connect, type AnyReceivedMessage, type ConnectOptions, type MessageMap, type Room } from '../../src/index.js';
import { environment, type TestPeer } from './sdk-peers.js';

/** What a joining test peer may ask for (as with {@link SdkFixture.join}). */
export type ClusterJoinOptions<M extends MessageMap> = ConnectOptions<M> & { claims?: { name?: string; grants?: readonly GrantName[] } };

/**
 * Server processes in cluster mode on a test Redis of their own, and SDK peers joined to them in
 * turn: consecutive peers are on different nodes, so every delivery and membership change
 * crosses nodes. `close()` leaves every room, kills the nodes and stops Redis.
 */
export class ClusterFixture {
  private readonly rooms: Room<MessageMap>[] = [];
  private readonly nodesOfRoom = new Map<string, Set<string>>();
  private turn = 0;

  private constructor(
    readonly redis: TestRedis,
    readonly nodes: ClusterNode[],
  ) {}

  static async start(count: number, flags: string[] = []): Promise<ClusterFixture> {
    const redis = await startTestRedis();
    try {
      return new ClusterFixture(redis, await startClusterNodes(count, redis.url, { flags }));
    } catch (error) {
      await redis.close();
      throw error;
    }
  }

  /**
   * Joins `room` as `identity` through the next node in turn, or through the first of `servers`
   * (the SDK's server list: it resumes through the others when that one dies), and records what
   * it receives.
   */
  async join<M extends MessageMap = Record<string, unknown>>(
    room: string,
    identity: string,
    options: ClusterJoinOptions<M> & { servers?: ClusterNode[] } = {},
  ): Promise<TestPeer<M>> {
    const { claims, servers, ...connectOptions } = options;
    const list = servers ?? [this.nodes[this.turn++ % this.nodes.length] as ClusterNode];
    const node = list[0] as ClusterNode;
    const token = await new AccessToken(DEV_SECRETS.tokenSecret, { room, identity, ttlSeconds: 600, ...claims }).toJwt();
    const urls = list.map((n) => n.wsUrl);
    const joined = await connect<M>(urls.length === 1 ? node.wsUrl : urls, token, { environment, ...connectOptions });
    this.rooms.push(joined as unknown as Room<MessageMap>);
    this.nodesOfRoom.set(room, (this.nodesOfRoom.get(room) ?? new Set()).add(node.nodeId));
    const inbox: AnyReceivedMessage<M>[] = [];
    joined.on('message', (message) => inbox.push(message));
    return { room: joined, inbox };
  }

  /** How many nodes the peers of `room` joined through. */
  nodesSpanned(room: string): number {
    return this.nodesOfRoom.get(room)?.size ?? 0;
  }

  async close(): Promise<void> {
    await Promise.all(this.rooms.map((room) => room.leave().catch(() => undefined)));
    await stopClusterNodes(this.nodes);
    await this.redis.close();
  }
}
