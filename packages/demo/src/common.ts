import '@switchboard/sdk/elements';
import type { Room } from '@switchboard/sdk';
import type { SbRoom } from '@switchboard/sdk/elements';

/** The element with this id, or an error naming the page that lacks it. */
export function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
}

/** The `room` query parameter, or `fallback`. */
export function param(name: string, fallback = ''): string {
  return new URLSearchParams(location.search).get(name) ?? fallback;
}

export function randomId(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** A development token from the server's `/dev/token` (only in `--dev` mode). */
export async function devToken(room: string, identity: string, grants: string[], name?: string): Promise<string> {
  const query = new URLSearchParams({ room, identity, grants: grants.join(',') });
  if (name) query.set('name', name);
  const response = await fetch(`/dev/token?${query.toString()}`);
  if (!response.ok) throw new Error(`/dev/token answered ${response.status}; is the server running with --dev?`);
  return ((await response.json()) as { token: string }).token;
}

/**
 * Joins `<sb-room id="room">` with a dev token and resolves with the room on the first
 * `sb-connected`; every room the element joins shows server announcements.
 */
export async function join(room: string, identity: string, grants: string[], name?: string): Promise<Room> {
  const sbRoom = element<SbRoom>('room');
  const connected = new Promise<Room>((resolve) => {
    sbRoom.addEventListener('sb-connected', (event) => {
      showAnnouncements(event.detail.room);
      resolve(event.detail.room);
    });
  });
  sbRoom.token = await devToken(room, identity, grants, name);
  sbRoom.url = location.origin.replace(/^http/, 'ws');
  return connected;
}

/** Shows a banner for each `announcement` `{ text }` sent by `server` (the HTTP API). */
export function showAnnouncements(room: Room): void {
  room.on('message:announcement', (message) => {
    const data = message.data as { text?: unknown } | null;
    if (message.from !== 'server' || typeof data?.text !== 'string' || data.text === '') return;
    let banner = document.getElementById('announcement');
    if (!banner) {
      banner = document.createElement('div');
      banner.id = 'announcement';
      banner.className = 'announcement';
      banner.setAttribute('role', 'status');
      const text = document.createElement('span');
      const close = document.createElement('button');
      close.type = 'button';
      close.textContent = '×';
      close.setAttribute('aria-label', 'Dismiss announcement');
      close.addEventListener('click', () => banner?.remove());
      banner.append(text, close);
      document.body.prepend(banner);
    }
    (banner.firstElementChild as HTMLElement).textContent = data.text.slice(0, 500);
  });
}

/** Follows the peer whose identity is `identity`: calls `found` with its ID, or `undefined` while absent. */
export function followPeer(room: Room, identity: string, found: (peerId: string | undefined) => void): void {
  const update = (): void => found([...room.peers.values()].find((peer) => peer.identity === identity)?.id);
  update();
  room.on('peerJoined', update);
  room.on('peerLeft', update);
}
