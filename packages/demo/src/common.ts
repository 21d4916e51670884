import '@switchboard/sdk/elements';
import { ExternalKeyProvider, type ConnectOptions, type Room } from '@switchboard/sdk';
import type { SbRoom, SbRoomState } from '@switchboard/sdk/elements';

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

const CONNECTION_LABELS: Record<SbRoomState, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  disconnected: 'Disconnected',
  failed: 'Could not connect',
};

/**
 * Shows the state of `<sb-room>` in the page's `#connection` chip, the one place a page shows it
 * (the element's own status line is kept for screen readers only).
 */
export function showConnection(sbRoom: SbRoom): void {
  const chip = document.getElementById('connection');
  if (!chip) return;
  const update = (): void => {
    chip.dataset.state = sbRoom.state;
    chip.textContent = CONNECTION_LABELS[sbRoom.state];
  };
  update();
  new MutationObserver(update).observe(sbRoom, { attributes: true, attributeFilter: ['state'] });
}

/**
 * Leaves the room when the page goes away (closed, reloaded, navigated from): the server then
 * tells the others at once, instead of waiting out the reconnect grace for a peer that will not
 * come back. A page restored from the back/forward cache is reloaded, which joins again.
 */
function leaveWithThePage(sbRoom: SbRoom): void {
  const leave = (): void => sbRoom.leave();
  addEventListener('pagehide', leave);
  // Chromium runs beforeunload before it tears the page's sockets down; pagehide can come late.
  addEventListener('beforeunload', leave);
  addEventListener('pageshow', (event) => {
    if (event.persisted) location.reload();
  });
}

/**
 * Joins `<sb-room id="room">` with a dev token and resolves with the room on the first
 * `sb-connected`; every room the element joins shows server announcements, shows its state in
 * `#connection`, and is left when the page goes away.
 */
export async function join(room: string, identity: string, grants: string[], name?: string, options?: ConnectOptions): Promise<Room> {
  const sbRoom = element<SbRoom>('room');
  if (options !== undefined) sbRoom.options = options;
  showConnection(sbRoom);
  leaveWithThePage(sbRoom);
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

/**
 * A key for an end-to-end encrypted pairing: new random bytes (`fragment` absent), or those a
 * link's `#key=` fragment carries, which browsers never send to a server. Returns the key
 * provider to connect with and the fragment to hand the other end.
 */
export async function pairingKey(fragment?: string): Promise<{ keys: ExternalKeyProvider; fragment: string }> {
  const bytes = fragment === undefined ? crypto.getRandomValues(new Uint8Array(32)) : Uint8Array.from(atob(fragment.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const keys = new ExternalKeyProvider();
  await keys.setKey(bytes);
  const encoded = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return { keys, fragment: encoded };
}

/**
 * Shows a banner for each `announcement` `{ text }` sent by `server` (the HTTP API), under the
 * page's header (never over it), until it is dismissed or the next one replaces it.
 */
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
      const header = document.querySelector('main > .topbar');
      if (header) header.after(banner);
      else document.querySelector('main')?.prepend(banner);
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

/** Identities of viewers start with this: watch pages, and screens showing the live stream. */
export const VIEWER_PREFIX = 'viewer-';

/**
 * The one definition of the viewer count, shown the same on every page: the peers of the room
 * that watch it (identity `viewer-…`), this page included when it watches. The host and admin
 * pages are not viewers.
 */
export function viewerCount(room: Room, selfIsViewer: boolean): number {
  const others = [...room.peers.values()].filter((peer) => peer.identity.startsWith(VIEWER_PREFIX)).length;
  return others + (selfIsViewer ? 1 : 0);
}

/** Keeps `target`'s text as the room's viewer count ("1 watching", "3 watching"). */
export function showViewerCount(room: Room, selfIsViewer: boolean, target: HTMLElement): void {
  const update = (): void => {
    target.textContent = `${viewerCount(room, selfIsViewer)} watching`;
  };
  update();
  room.on('peerJoined', update);
  room.on('peerLeft', update);
}

/** `count` and the noun, singular or plural: "1 remote", "2 remotes". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
