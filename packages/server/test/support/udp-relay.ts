import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** How the relay mistreats datagrams, each way. */
export interface Impairment {
  /** Share of datagrams dropped, 0–1. */
  loss: number;
  /** Every datagram waits this long… */
  delayMs: number;
  /** …plus a uniformly random extra of up to this much, which also reorders them. */
  jitterMs: number;
}

/** What the relay did, for assertions and reports. */
export interface RelayStats {
  forwarded: number;
  dropped: number;
}

/**
 * A user-space stand-in for `netem` (this machine's kernel has none): a UDP relay listening on
 * `listen` (e.g. 127.0.0.2:P, the address the server announces in its ICE candidates) that
 * forwards to `target` (the mediasoup worker at 127.0.0.1:P) and back, dropping, delaying and
 * reordering datagrams as `impairment` says. Each client address gets its own upstream socket,
 * so the worker sees one distinct address per client, as behind a NAT. The random generator is
 * seeded, so a run can be repeated.
 */
export class UdpRelay {
  readonly stats: RelayStats = { forwarded: 0, dropped: 0 };
  private readonly upstreams = new Map<string, Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private random: () => number;

  private constructor(
    private readonly listener: Socket,
    private readonly target: { address: string; port: number },
    public impairment: Impairment,
    seed: number,
  ) {
    this.random = mulberry32(seed);
    listener.on('message', (data, from) => this.fromClient(data, from));
  }

  /** Starts a relay on `listen` (port 0 picks one) towards `target`. */
  static async start(options: {
    listen: { address: string; port: number };
    target: { address: string; port: number };
    impairment: Impairment;
    seed?: number;
  }): Promise<UdpRelay> {
    const listener = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.bind(options.listen.port, options.listen.address, () => resolve());
    });
    return new UdpRelay(listener, options.target, options.impairment, options.seed ?? 1);
  }

  /** The address clients send to. */
  get address(): { address: string; port: number } {
    const { address, port } = this.listener.address();
    return { address, port };
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.upstreams.values()) socket.close();
    this.upstreams.clear();
    this.listener.close();
  }

  private fromClient(data: Buffer, from: RemoteInfo): void {
    const key = `${from.address}:${from.port}`;
    let upstream = this.upstreams.get(key);
    if (!upstream) {
      const socket = createSocket('udp4');
      socket.bind(0, this.target.address);
      socket.on('message', (reply) => this.impair(() => this.listener.send(reply, from.port, from.address)));
      this.upstreams.set(key, socket);
      upstream = socket;
    }
    const socket = upstream;
    this.impair(() => socket.send(data, this.target.port, this.target.address));
  }

  private impair(send: () => void): void {
    const { loss, delayMs, jitterMs } = this.impairment;
    if (this.random() < loss) {
      this.stats.dropped += 1;
      return;
    }
    this.stats.forwarded += 1;
    const wait = delayMs + this.random() * jitterMs;
    if (wait <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, wait);
    this.timers.add(timer);
  }
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
