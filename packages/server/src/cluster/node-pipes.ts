import type { Consumer, MediaKind, PipeTransport, Producer, Router, RtpParameters, TransportListenInfo } from 'mediasoup/types';
import { SwitchboardError } from '@switchboard/sdk/protocol';
import type { Logger } from '../log.js';
import { ProducerPipes, type PipeRelease } from '../media/producer-pipes.js';
import type { HeldRemoteProducer, RemoteProducers } from '../media/remote-producers.js';
import type { NodeRequests } from './node-requests.js';
import type { BusHealth, BusPeer } from './room-bus.js';

/** Settings of {@link NodePipes}. */
export interface NodePipesOptions {
  readonly requests: NodeRequests;
  /** Which nodes are alive: a pipe to or from a node that is not closes. */
  health(): BusHealth;
  /** Members of a room in the whole cluster, with their node and tracks. */
  roomPeers(room: string): Promise<BusPeer[]>;
  /** Local IP of the pipe transports and, if different, the address other nodes reach it at. */
  readonly listenIp: string;
  readonly announcedAddress?: string | undefined;
  /** How often pipes are checked against the live nodes, in ms (the bus's heartbeat). */
  readonly checkMs: number;
  /** How long a node may be silent before it counts as dead, in ms (the bus's node TTL). */
  readonly nodeTtlMs: number;
  readonly logger: Logger;
}

/** Node B asks node A to pipe a producer: where B's pipe transport listens. */
interface PipeRequest {
  room: string;
  producerId: string;
  ip: string;
  port: number;
}

/** Node A's answer: where its pipe transport listens and what the pipe carries. */
interface PipeOffer {
  ip: string;
  port: number;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  paused: boolean;
  appData: Record<string, unknown>;
}

/** A local producer that another node plays (this node is its origin). */
interface Outgoing {
  readonly node: string;
  readonly transport: PipeTransport;
  /** When it was served (`performance.now()`): the asking node was alive then. */
  readonly servedAt: number;
  /** Whether the other node let go of it (or is gone): then its closing needs no word. */
  quiet: boolean;
}

/** Another node's producer piped here, shared by every local consumer of it. */
interface Incoming {
  readonly room: string;
  readonly node: string;
  readonly ready: Promise<{ producer: Producer; router: Router; transport: PipeTransport }>;
  users: number;
}

// Request and note kinds on the node channel.
const PIPE = 'media.pipe';
const LOCATE = 'media.locate';
const RELEASED = 'media.released';
const CLOSED = 'media.closed';
const PAUSED = 'media.paused';

/**
 * Media between the nodes of a cluster. A viewer on node B subscribing to a producer of node A:
 * B creates a PipeTransport on the viewer's router and asks A (a node request through Redis) to
 * pipe the producer there; A creates its PipeTransport and a pipe consumer, answers with its
 * address and the RTP parameters; B connects and creates the pipe producer (same ID), which
 * local consumers consume. One pipe per producer per node, shared by all its viewers there
 * (other routers of B get it from the first with `pipeToRouter`), closed when the last goes.
 * A tells B when the producer pauses, resumes or closes; a node that leaves the live set takes
 * its pipes with it on both sides. RTCP (PLI/FIR, receiver reports) flows through the pipe, so
 * keyframe requests reach the publisher and every simulcast layer reaches B, where its
 * consumers pick layers.
 */
export class NodePipes implements RemoteProducers {
  /** Producers published on this node, by ID. */
  private readonly local = new Map<string, { room: string; producer: Producer; router: Router }>();
  /** Pipes to other nodes, by `node/producerId`. */
  private readonly outgoing = new Map<string, Outgoing>();
  /** Pipes from other nodes, by producer ID. */
  private readonly incoming = new Map<string, Incoming>();
  private readonly localPipes = new ProducerPipes();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: NodePipesOptions) {
    const { requests } = options;
    requests.onRequest(PIPE, (from, body) => this.servePipe(from, body as PipeRequest));
    requests.onRequest(LOCATE, (_from, body) => Promise.resolve(this.has(body as { room: string; producerId: string })));
    requests.onNote(RELEASED, (from, body) => this.closeOutgoing(`${from}/${(body as { producerId: string }).producerId}`));
    requests.onNote(CLOSED, (from, body) => this.originClosed(from, (body as { producerId: string }).producerId));
    requests.onNote(PAUSED, (from, body) => void this.originPaused(from, body as { producerId: string; paused: boolean }));
    this.timer = setInterval(() => this.dropDeadNodes(), options.checkMs);
    this.timer.unref();
  }

  published(room: string, producer: Producer, router: Router): void {
    this.local.set(producer.id, { room, producer, router });
    producer.observer.once('close', () => this.local.delete(producer.id));
  }

  async hold(room: string, producerId: string, router: Router): Promise<HeldRemoteProducer> {
    let pipe = this.incoming.get(producerId);
    // A track of another room is no more visible through a pipe than locally.
    if (pipe && pipe.room !== room) throw new SwitchboardError('NOT_FOUND', `no track ${producerId} in this room`);
    if (!pipe) {
      const node = await this.locate(room, producerId);
      // Another subscriber may have opened it while this one looked the node up.
      pipe = this.incoming.get(producerId) ?? this.open(room, producerId, node, router);
      if (pipe.room !== room) throw new SwitchboardError('NOT_FOUND', `no track ${producerId} in this room`);
    }
    const held = pipe;
    held.users++;
    let release: PipeRelease = () => this.letGo(producerId, held);
    try {
      const { producer, router: landing } = await held.ready;
      const local = await this.localPipes.hold(producer, landing, router);
      const done = release;
      release = () => {
        local();
        done();
      };
      return { producer, release: once(release) };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Pipes open, for `/metrics` and tests. */
  counts(): { incoming: number; outgoing: number } {
    return { incoming: this.incoming.size, outgoing: this.outgoing.size };
  }

  /** Closes every pipe (the node is stopping). */
  close(): void {
    clearInterval(this.timer);
    for (const { transport } of [...this.outgoing.values()]) transport.close();
    for (const pipe of [...this.incoming.values()]) void pipe.ready.then(({ transport }) => transport.close(), () => undefined);
    this.incoming.clear();
  }

  // The node publishing `producerId` in `room`: from the membership records, which list each
  // peer's tracks; else (a subscribe by ID that overtook the publisher's record write) by asking
  // every live node (a cluster has few).
  private async locate(room: string, producerId: string): Promise<string> {
    const peers = await this.options.roomPeers(room);
    const owner = peers.find((peer) => peer.tracks.some((track) => track.id === producerId));
    if (owner && owner.node !== this.options.requests.nodeId) return owner.node;
    const others = this.options.health().nodes.filter((node) => node !== this.options.requests.nodeId);
    const answers = await Promise.all(
      others.map((node) => this.options.requests.request(node, LOCATE, { room, producerId }).then((found) => (found === true ? node : undefined), () => undefined)),
    );
    const node = answers.find((answer) => answer !== undefined);
    if (node === undefined) throw new SwitchboardError('NOT_FOUND', `no track ${producerId} in this room`);
    return node;
  }

  private has({ room, producerId }: { room: string; producerId: string }): boolean {
    const entry = this.local.get(producerId);
    return entry !== undefined && entry.room === room && !entry.producer.closed;
  }

  // Subscriber side: the pipe from `node`, landing on `router`.
  private open(room: string, producerId: string, node: string, router: Router): Incoming {
    const ready = (async () => {
      const transport = await router.createPipeTransport({ listenInfo: this.listenInfo() });
      try {
        const request: PipeRequest = { room, producerId, ip: this.reachableIp(transport), port: transport.tuple.localPort };
        const offer = (await this.options.requests.request(node, PIPE, request)) as PipeOffer;
        await transport.connect({ ip: offer.ip, port: offer.port });
        const producer = await transport.produce({ id: producerId, kind: offer.kind, rtpParameters: offer.rtpParameters, paused: offer.paused, appData: offer.appData });
        return { producer, router, transport };
      } catch (error) {
        transport.close();
        throw error;
      }
    })();
    const pipe: Incoming = { room, node, ready, users: 0 };
    this.incoming.set(producerId, pipe);
    const forget = () => this.incoming.get(producerId) === pipe && this.incoming.delete(producerId);
    // However it closes (last viewer gone, the origin's word, its router closing), the origin
    // closes its side; a word to a side already closed finds nothing there.
    ready.then(
      ({ transport }) =>
        transport.observer.once('close', () => {
          forget();
          this.options.requests.note(node, RELEASED, { producerId });
        }),
      forget,
    );
    return pipe;
  }

  // A user of an incoming pipe is gone; the last one closes it and tells the origin.
  private letGo(producerId: string, pipe: Incoming): void {
    if (--pipe.users > 0) return;
    if (this.incoming.get(producerId) === pipe) this.incoming.delete(producerId);
    void pipe.ready.then(({ transport }) => transport.close(), () => undefined);
  }

  // Origin side: pipes one of this node's producers to `from`'s transport.
  private async servePipe(from: string, request: PipeRequest): Promise<PipeOffer> {
    const entry = this.local.get(request.producerId);
    if (!entry || entry.room !== request.room || entry.producer.closed) {
      throw new SwitchboardError('NOT_FOUND', `no track ${request.producerId} in this room`);
    }
    const key = `${from}/${request.producerId}`;
    // A repeated request (the other node lost its pipe and asks again) replaces the old pipe.
    this.closeOutgoing(key);
    const transport = await entry.router.createPipeTransport({ listenInfo: this.listenInfo() });
    let consumer: Consumer;
    try {
      await transport.connect({ ip: request.ip, port: request.port });
      consumer = await transport.consume({ producerId: request.producerId });
    } catch (error) {
      transport.close();
      throw error;
    }
    const pipe: Outgoing = { node: from, transport, quiet: false, servedAt: performance.now() };
    this.outgoing.set(key, pipe);
    const note = (kind: string, body: unknown) => this.options.requests.note(from, kind, body);
    // Closed here for any reason (the producer, its router or worker, this node stopping): the
    // other node's viewers must not wait for RTP that will not come.
    transport.observer.once('close', () => {
      if (this.outgoing.get(key) === pipe) this.outgoing.delete(key);
      if (!pipe.quiet) note(CLOSED, { producerId: request.producerId });
    });
    consumer.on('producerclose', () => transport.close());
    consumer.on('producerpause', () => note(PAUSED, { producerId: request.producerId, paused: true }));
    consumer.on('producerresume', () => note(PAUSED, { producerId: request.producerId, paused: false }));
    return {
      ip: this.reachableIp(transport),
      port: transport.tuple.localPort,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      paused: consumer.producerPaused,
      appData: entry.producer.appData,
    };
  }

  // The origin's producer closed: the pipe closes, and with it the local consumers (their
  // peers are told `consumerClosed`).
  private originClosed(from: string, producerId: string): void {
    const pipe = this.incoming.get(producerId);
    if (!pipe || pipe.node !== from) return;
    this.incoming.delete(producerId);
    void pipe.ready.then(({ transport }) => transport.close(), () => undefined);
  }

  private async originPaused(from: string, { producerId, paused }: { producerId: string; paused: boolean }): Promise<void> {
    const pipe = this.incoming.get(producerId);
    if (!pipe || pipe.node !== from) return;
    const { producer } = await pipe.ready;
    if (paused) await producer.pause();
    else await producer.resume();
  }

  // A node no longer alive (crashed, or cut off) takes its pipes with it, on both sides. While
  // this node cannot reach Redis it cannot tell, and leaves the pipes as they are.
  private dropDeadNodes(): void {
    const health = this.options.health();
    if (!health.reachable) return;
    const alive = new Set(health.nodes);
    // A node that just joined asks for pipes before this node's view of the live nodes may list
    // it: a pipe it asked for is its own proof of life for a node TTL.
    const provenAlive = performance.now() - this.options.nodeTtlMs;
    for (const [key, pipe] of [...this.outgoing]) if (!alive.has(pipe.node) && pipe.servedAt < provenAlive) this.closeOutgoing(key);
    for (const [producerId, pipe] of [...this.incoming]) {
      if (alive.has(pipe.node)) continue;
      this.options.logger.warn('node of a piped track is gone; its consumers here close', { node: pipe.node, producerId });
      this.originClosed(pipe.node, producerId);
    }
  }

  private closeOutgoing(key: string): void {
    const pipe = this.outgoing.get(key);
    if (!pipe) return;
    pipe.quiet = true;
    pipe.transport.close();
  }

  private listenInfo(): TransportListenInfo {
    return { protocol: 'udp', ip: this.options.listenIp, ...(this.options.announcedAddress ? { announcedAddress: this.options.announcedAddress } : {}) };
  }

  private reachableIp(transport: PipeTransport): string {
    return this.options.announcedAddress ?? transport.tuple.localAddress;
  }
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}
