import type { ReceivedMessage, Room } from '@switchboard/sdk';
import type { SbCommentBox, SbDanmaku, SbVideo } from '@switchboard/sdk/elements';
import { element, followPeer, join, param, randomId, showViewerCount, VIEWER_PREFIX } from './common.js';

const roomName = param('room', 'demo');
element('room-name').textContent = roomName;

const danmaku = element<SbDanmaku>('danmaku');
const video = element<SbVideo>('video');
const hearts = element('hearts');
const heartButton = element<HTMLButtonElement>('heart');
// The server does not send a peer its own messages back: echo this viewer's comments.
element<SbCommentBox>('comment-box').addEventListener('sb-comment-sent', (event) => danmaku.add(event.detail));

function floatHeart(): void {
  const heart = document.createElement('span');
  heart.className = 'heart';
  heart.textContent = '♥';
  heart.style.left = `${10 + Math.random() * 80}%`;
  heart.addEventListener('animationend', () => heart.remove());
  hearts.append(heart);
}

/** LIVE while the host's camera track is published and not muted: it follows the track, not the peer. */
function followLive(room: Room, hostId: () => string | undefined): void {
  const badge = element('live');
  const update = (): void => {
    const id = hostId();
    badge.hidden = ![...room.tracks.values()].some((track) => track.peerId === id && track.name === 'camera' && !track.muted);
  };
  update();
  for (const event of ['trackPublished', 'trackUnpublished', 'trackMuted', 'trackUnmuted', 'peerLeft'] as const) room.on(event, update);
}

const room = await join(roomName, randomId(VIEWER_PREFIX.slice(0, -1)), ['subscribe', 'sendData', 'receiveData'], 'Viewer');
let host: string | undefined;
followPeer(room, 'host', (peerId) => {
  host = peerId;
  if (peerId) video.setAttribute('peer', peerId);
  else video.removeAttribute('peer');
});
followLive(room, () => host);
showViewerCount(room, true, element('viewer-count'));

// The server keeps the room's last comments (`--history-types comment`): a viewer who joins gets
// them first, marked history. They are listed, newest first, and do not fly over the video
// (the danmaku shows live comments only), so that a late viewer sees the picture.
function showEarlier(message: ReceivedMessage): void {
  const text = (message.data as { text?: unknown } | null)?.text;
  if (!message.history || typeof text !== 'string') return;
  const item = document.createElement('li');
  item.textContent = text;
  element('earlier-list').prepend(item);
  element('earlier').hidden = false;
}
room.on('message:comment', showEarlier);

room.on('message:heart', floatHeart);
heartButton.disabled = false;
heartButton.addEventListener('click', () => {
  floatHeart();
  // Lossy: a lost heart does not matter, and hearts must not queue behind comments.
  room.send('heart', {}, { reliable: false }).catch(() => undefined);
});
