import type { SbCommentBox, SbDanmaku, SbVideo } from '@switchboard/sdk/elements';
import { element, followPeer, join, param, randomId } from './common.js';

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

const room = await join(roomName, randomId('viewer'), ['subscribe', 'sendData', 'receiveData'], 'Viewer');
followPeer(room, 'host', (peerId) => {
  if (peerId) video.setAttribute('peer', peerId);
  else video.removeAttribute('peer');
  element('live').hidden = !peerId;
});

const viewerCount = element('viewer-count');
const count = (): void => {
  // Viewers only: not the host, nor an admin page listening for its announcements.
  const others = [...room.peers.values()].filter((peer) => peer.identity.startsWith('viewer-')).length;
  viewerCount.textContent = `${others + 1} watching`;
};
count();
room.on('peerJoined', count);
room.on('peerLeft', count);

room.on('message:heart', floatHeart);
heartButton.disabled = false;
heartButton.addEventListener('click', () => {
  floatHeart();
  // Lossy: a lost heart does not matter, and hearts must not queue behind comments.
  room.send('heart', {}, { reliable: false }).catch(() => undefined);
});
