import { DEFAULT_GRANTS } from '@switchboard/sdk/protocol';
import { Logger } from '../../src/log.js';
import { RedisRoomBus, type RedisBusOptions } from '../../src/cluster/redis-room-bus.js';
import type { BusLeaveReason, BusMessage, BusPeer, RoomBusHandlers, SequencedMessage } from '../../src/cluster/room-bus.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

/** Handlers that record everything the bus reports. */
export class Recorder implements RoomBusHandlers {
  readonly reliableMessages: SequencedMessage[] = [];
  readonly lossyMessages: BusMessage[] = [];
  readonly gaps: [number, number][] = [];
  readonly joined: BusPeer[] = [];
  readonly updated: BusPeer[] = [];
  readonly left: { peer: BusPeer; reason: BusLeaveReason }[] = [];
  /** How many reliable messages had come when each read of the log ended. */
  readonly readsDone: number[] = [];

  reliable(message: SequencedMessage): void {
    this.reliableMessages.push(message);
  }
  lossy(message: BusMessage): void {
    this.lossyMessages.push(message);
  }
  readDone(): void {
    this.readsDone.push(this.reliableMessages.length);
  }
  gap(fromSeq: number, toSeq: number): void {
    this.gaps.push([fromSeq, toSeq]);
  }
  peerJoined(peer: BusPeer): void {
    this.joined.push(peer);
  }
  peerUpdated(peer: BusPeer): void {
    this.updated.push(peer);
  }
  peerLeft(peer: BusPeer, reason: BusLeaveReason): void {
    this.left.push({ peer, reason });
  }
}

/** A message whose body is the UTF-8 of `text`. */
export function message(from: string, text: string, extra: { targets?: string[]; topic?: string } = {}): BusMessage {
  return { from, targets: extra.targets, topic: extra.topic, body: new TextEncoder().encode(text) };
}

export function text(message: BusMessage): string {
  return new TextDecoder().decode(message.body);
}

export function peer(id: string, node: string, extra: Partial<BusPeer> = {}): BusPeer {
  return {
    id,
    identity: `user-${id}`,
    grants: { ...DEFAULT_GRANTS },
    node,
    joinedAt: 1_700_000_000_000,
    tracks: [],
    resumeKeyHash: `hash-${id}`,
    lastSenderSeq: 0,
    ...extra,
  };
}

let prefixes = 0;
/** A key prefix of its own for each test, so tests sharing one Redis never see each other. */
export function freshPrefix(): string {
  return `t${process.pid}-${++prefixes}:`;
}

/** Fast heartbeats so death detection fits in a test. */
export const FAST = { heartbeatMs: 100, nodeTtlMs: 700 } as const;

export async function redisBus(url: string, nodeId: string, keyPrefix: string, overrides: Partial<RedisBusOptions> = {}): Promise<RedisRoomBus> {
  const bus = new RedisRoomBus({
    endpoint: { url },
    // Generous, for a busy test machine; the tests of a frozen Redis use the default, 1 s.
    timeoutMs: 3000,
    waitReplicas: 0,
    nodeId,
    keyPrefix,
    ...FAST,
    log: { maxBytes: 1 << 20, maxAgeMs: 60_000, minRetainMs: 0 },
    lingerMs: 60_000,
    logger: new Logger('error'),
    ...overrides,
  });
  await bus.ready();
  return bus;
}

/** What {@link redisBusSuite} gives a suite's tests. */
export interface RedisBusSuite {
  /** Starts bus nodes with these IDs on the suite's Redis, under the test's own key prefix; closed after the test. */
  nodes(...ids: string[]): Promise<RedisRoomBus[]>;
  /** One node with settings of its own, closed after the test. */
  node(id: string, overrides: Partial<RedisBusOptions>): Promise<RedisRoomBus>;
}

/**
 * Registers the hooks of a suite of bus tests (call it inside `describe`): a Redis of its own for
 * the suite, a fresh key prefix per test, and every node a test started closed after it.
 */
export function redisBusSuite(): RedisBusSuite {
  let redis: TestRedis | undefined;
  let buses: RedisRoomBus[] = [];
  let prefix = '';
  before(async () => (redis = await startTestRedis()));
  after(() => redis?.close());
  beforeEach(() => (prefix = freshPrefix()));
  afterEach(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    buses = [];
  });
  const node = async (id: string, overrides: Partial<RedisBusOptions> = {}) => {
    const bus = await redisBus(redis!.url, id, prefix, overrides);
    buses.push(bus);
    return bus;
  };
  return { nodes: (...ids) => Promise.all(ids.map((id) => node(id))), node };
}
