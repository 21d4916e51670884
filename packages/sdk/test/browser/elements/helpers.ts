import { connect, type Room } from '../../../src/index.js';
import type { SbRoom } from '../../../src/elements/index.js';

// Helpers for the element tests: tokens and rooms from the real server karma starts
// (scripts/karma-switchboard-server.cjs), bounded waits, and clean-up after each test.

export interface TestServer {
  wsUrl: string;
  httpUrl: string;
}

export const WAIT_MS = 5000;

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export function server(): Promise<TestServer> {
  return getJson<TestServer>('/switchboard-test-server');
}

export function uniqueRoom(label: string): string {
  return `elements-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** A token for `roomName`; `historyLimit` makes a room it opens keep that many messages for late joiners. */
export async function tokenFor(roomName: string, identity: string, grants?: string, historyLimit?: number): Promise<string> {
  const query = new URLSearchParams({
    room: roomName,
    identity,
    ...(grants === undefined ? {} : { grants }),
    ...(historyLimit === undefined ? {} : { history: String(historyLimit) }),
  });
  return (await getJson<{ token: string }>(`/switchboard-test-server/token?${query}`)).token;
}

/** Resolves once `check()` holds, polling; rejects after `timeoutMs` naming `what`. */
export async function until(check: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Makes this page's data channels slow, as over a slow network: everything sent leaves `ms`
 * later (in order), so the server's receipts come back late. Returns the undo function.
 */
export function slowDataChannels(ms: number): () => void {
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: string | Blob | ArrayBuffer | ArrayBufferView) {
    // A copy: the caller may reuse its buffer once send() returns.
    const copy = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : data;
    setTimeout(() => {
      if (this.readyState === 'open') send.call(this, copy as Uint8Array<ArrayBuffer>);
    }, ms);
  };
  return () => {
    RTCDataChannel.prototype.send = send;
  };
}

/** Rooms and elements made by a test, left and removed by {@link Cleanup.run}. */
export class Cleanup {
  private rooms: Room[] = [];
  private elements: Element[] = [];

  async join(wsUrl: string, roomName: string, identity: string, grants?: string, historyLimit?: number): Promise<Room> {
    const room = await connect(wsUrl, await tokenFor(roomName, identity, grants, historyLimit), { room: roomName });
    this.rooms.push(room);
    return room;
  }

  /** Appends `<sb-room>` with `inner` HTML to the body and waits for `sb-connected`. */
  async mountRoom(wsUrl: string, roomName: string, identity: string, inner = '', grants?: string): Promise<SbRoom> {
    const element = document.createElement('sb-room');
    element.innerHTML = inner;
    this.elements.push(element);
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sb-room did not connect within ${WAIT_MS} ms`)), WAIT_MS);
      element.addEventListener('sb-connected', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
    element.url = wsUrl;
    element.token = await tokenFor(roomName, identity, grants);
    document.body.append(element);
    await connected;
    return element;
  }

  track<E extends Element>(element: E): E {
    this.elements.push(element);
    return element;
  }

  async run(): Promise<void> {
    const rooms = this.rooms.splice(0);
    for (const element of this.elements.splice(0)) element.remove();
    await Promise.all(rooms.map((room) => room.leave().catch(() => undefined)));
  }
}
