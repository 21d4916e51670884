import type { TrafficCounts } from './sample-stream.js';

/** A refusal of the server's HTTP API, with its status and the error code and message it sent. */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleApiError';
  }
}

/** A peer as `GET /api/rooms/:room/peers` lists it. */
export interface ApiPeer {
  id: string;
  identity: string;
  name?: string;
  joinedAt: number;
  connected: boolean;
  tracks: { id: string; kind: string; source?: string; muted?: boolean }[];
  grants?: string[];
  node?: string;
  /** PID of its mediasoup worker (peers of the answering node). */
  worker?: number;
  /** Data messages it sent and their bytes (peers of the answering node). */
  sent?: { messages: number; bytes: number };
}

/** A room as `GET /api/rooms` lists it; `traffic` is counted on the answering node. */
export interface ApiRoomSummary {
  name: string;
  createdAt: number;
  peers: number;
  traffic: TrafficCounts;
}

/** `GET /healthz`. */
export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds: number;
  node: string;
  workers: { pid: number; alive: boolean }[];
  cluster: { mode: 'local' | 'redis'; reachable: boolean; nodes: string[] };
}

/** One node of `GET /api/console/nodes`: its load, or why it did not answer. */
export type NodeStats =
  | { node: string; cpuPercent: number; rssBytes: number; rooms: number; peers: number; workers: { alive: number; total: number }; uptimeSeconds: number; error?: undefined }
  | { node: string; error: string };

/** `GET /api/rooms/:room/history`. */
export interface RoomHistory {
  policy: { limit: number; maxBytes: number; types?: string[]; topics?: string[] } | null;
  messages: { seq: number; from: string; type: string; topic?: string; serverTime: number; data: unknown }[];
}

/**
 * The server's public HTTP API as the console uses it, every request carrying the API secret.
 * Failures throw {@link ConsoleApiError} with the server's own message, or code `UNREACHABLE`.
 */
export class ConsoleApi {
  constructor(private readonly secret: string) {}

  rooms(): Promise<{ rooms: ApiRoomSummary[] }> {
    return this.request('GET', '/api/rooms');
  }

  peers(room: string): Promise<{ peers: ApiPeer[] }> {
    return this.request('GET', `/api/rooms/${encodeURIComponent(room)}/peers`);
  }

  history(room: string): Promise<RoomHistory> {
    return this.request('GET', `/api/rooms/${encodeURIComponent(room)}/history`);
  }

  kick(room: string, peer: string, reason: string): Promise<{ kicked: boolean }> {
    return this.request('POST', `${peerPath(room, peer)}/kick`, { reason });
  }

  /** Gives (`true`) or revokes the peer's `sendData` grant: chat mute and unmute. */
  setSendData(room: string, peer: string, allowed: boolean): Promise<{ grants: string[] }> {
    return this.request('PATCH', peerPath(room, peer), allowed ? { grant: ['sendData'] } : { revoke: ['sendData'] });
  }

  announce(room: string, text: string): Promise<{ delivered: number }> {
    return this.request('POST', `/api/rooms/${encodeURIComponent(room)}/messages`, { type: 'announcement', data: { text } });
  }

  /** The load of every live node of the cluster (the console's own route). */
  nodes(): Promise<{ nodes: NodeStats[] }> {
    return this.request('GET', '/api/console/nodes');
  }

  async health(): Promise<Health> {
    // 503 still carries the health report: a degraded node is worth showing, not an error.
    const response = await this.fetch('GET', '/healthz');
    if (response.status !== 200 && response.status !== 503) throw await apiError(response);
    return (await response.json()) as Health;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(method, path, body);
    if (!response.ok) throw await apiError(response);
    return (await response.json()) as T;
  }

  private async fetch(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.secret}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      throw new ConsoleApiError(0, 'UNREACHABLE', `the server did not answer (${String(error)})`);
    }
  }
}

function peerPath(room: string, peer: string): string {
  return `/api/rooms/${encodeURIComponent(room)}/peers/${encodeURIComponent(peer)}`;
}

async function apiError(response: Response): Promise<ConsoleApiError> {
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  return new ConsoleApiError(response.status, body?.error?.code ?? 'INTERNAL', body?.error?.message ?? `HTTP ${response.status}`);
}
