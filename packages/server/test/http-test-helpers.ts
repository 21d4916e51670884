import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { applyGrantChange, DEFAULT_GRANTS, SwitchboardError, type ErrorCode, type GrantChange, type Grants } from '@switchboard/sdk/protocol';
import type { TrafficCounts } from '../src/data/room-traffic.js';
import type { ApiPeer, ApiRoom, ApiRooms } from '../src/http/http-api.js';
import { loadUws } from '../src/http/uws.js';
import { Logger } from '../src/log.js';

/** A uWS app listening on a loopback port. */
export interface TestApp {
  readonly url: string;
  readonly port: number;
  close(): void;
}

/** Starts a uWS app on 127.0.0.1 with an ephemeral port after `register` added its routes. */
export async function startApp(register: (app: TemplatedApp) => void): Promise<TestApp> {
  const { uws } = loadUws();
  const app = uws.App();
  register(app);
  const socket = await new Promise<us_listen_socket>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('listen failed')))),
  );
  const port = uws.us_socket_local_port(socket);
  return { url: `http://127.0.0.1:${port}`, port, close: () => uws.us_listen_socket_close(socket) };
}

/** A logger whose lines are kept for assertions instead of printed. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new Logger('debug', {}, (line) => lines.push(line)), lines };
}

/** One call of {@link FakeRoom.sendFromServer}. */
export type SendCall = Parameters<ApiRoom['sendFromServer']>[0] & { room: string };

/** One call of {@link FakeRoom.setGrants}. */
export interface GrantCall {
  room: string;
  peerId: string;
  change: GrantChange;
}

/** A room that records what the API asked of it; `failWith` makes the next send throw. */
export class FakeRoom implements ApiRoom {
  failWith: ErrorCode | undefined;
  counts: TrafficCounts = { messagesIn: 0, deliveries: 0, rejected: {} };
  readonly traffic = { counts: () => this.counts };

  constructor(
    readonly name: string,
    private readonly members: ApiPeer[],
    private readonly calls: { sends: SendCall[]; kicks: { room: string; peerId: string; reason: string }[]; grants: GrantCall[] },
    readonly createdAt = 1_700_000_000_000,
  ) {}

  peers(): ApiPeer[] {
    return this.members;
  }

  async sendFromServer(message: Parameters<ApiRoom['sendFromServer']>[0]): Promise<number> {
    if (this.failWith) throw new SwitchboardError(this.failWith, `fake room refused: ${this.failWith}`);
    this.calls.sends.push({ room: this.name, ...message });
    return message.to?.length ?? this.members.length;
  }

  async setGrants(peerId: string, change: GrantChange): Promise<Grants> {
    if (!this.members.some((p) => p.id === peerId)) throw new SwitchboardError('NOT_FOUND', `no peer ${peerId}`);
    this.calls.grants.push({ room: this.name, peerId, change });
    return applyGrantChange(DEFAULT_GRANTS, change);
  }

  async kick(peerId: string, reason: string): Promise<boolean> {
    const index = this.members.findIndex((p) => p.id === peerId);
    if (index === -1) return false;
    this.members.splice(index, 1);
    this.calls.kicks.push({ room: this.name, peerId, reason });
    return true;
  }
}

/** Rooms for the API under test, with every call recorded. */
export class FakeRooms implements ApiRooms {
  readonly rooms = new Map<string, FakeRoom>();
  readonly calls = { sends: [] as SendCall[], kicks: [] as { room: string; peerId: string; reason: string }[], grants: [] as GrantCall[], gets: [] as string[] };

  /** Adds a room with peers named by ID. */
  add(name: string, peerIds: string[] = []): FakeRoom {
    const peers = peerIds.map((id, i) => ({ id, identity: `user-${id}`, joinedAt: 1_700_000_000_000 + i, connected: i % 2 === 0, tracks: [] }));
    const room = new FakeRoom(name, peers, this.calls);
    this.rooms.set(name, room);
    return room;
  }

  get(name: string): FakeRoom | undefined {
    this.calls.gets.push(name);
    return this.rooms.get(name);
  }

  list(): FakeRoom[] {
    return [...this.rooms.values()];
  }

  async reach<T>(name: string, use: (room: FakeRoom) => Promise<T>): Promise<T | undefined> {
    const room = this.get(name);
    return room ? use(room) : undefined;
  }

  /** Forgets all rooms and calls. */
  reset(): void {
    this.rooms.clear();
    this.calls.sends.length = 0;
    this.calls.kicks.length = 0;
    this.calls.gets.length = 0;
    this.calls.grants.length = 0;
  }
}
