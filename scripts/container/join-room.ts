// Joins one room from outside the container(s) with the Node SDK, as an app's backend and two
// users would: tokens signed with the server's token secret, two peers connected through the given
// URLs (one server, or two nodes of a cluster), a message each way. Prints one JSON line per step;
// exits 1 when a step fails or the whole takes more than 30 s.
// Usage: SWITCHBOARD_TOKEN_SECRET=... node --conditions=source --import tsx join-room.ts <ws url> [<ws url of the second peer>]
import wrtc from '@roamhq/wrtc';
import { AccessToken } from '@switchboard/server';
import { connect, nodeEnvironment, type Room } from '@switchboard/sdk';
import { WebSocket } from 'ws';

type Messages = { chat: { text: string } };

const firstUrl = process.argv[2];
const secret = process.env.SWITCHBOARD_TOKEN_SECRET;
if (firstUrl === undefined || secret === undefined) {
  console.error('usage: SWITCHBOARD_TOKEN_SECRET=... join-room.ts <ws url> [<ws url of the second peer>]');
  process.exit(2);
}
const secondUrl = process.argv[3] ?? firstUrl;
const deadline = setTimeout(() => fail(new Error('not done within 30 s')), 30_000);
const environment = nodeEnvironment({ wrtc, WebSocket });
const roomName = `container-check-${process.pid}`;
const rooms: Room<Messages>[] = [];
const report = (step: string, fields: Record<string, unknown>) => console.log(JSON.stringify({ step, ...fields }));

async function join(identity: string, url: string): Promise<Room<Messages>> {
  const started = performance.now();
  const token = await new AccessToken(secret as string, { identity, room: roomName }).toJwt();
  const room = await connect<Messages>(url, token, { environment });
  rooms.push(room);
  report('joined', { identity, url, peerId: room.peerId, ms: Math.round(performance.now() - started) });
  return room;
}

/** The next chat message `room` receives, within 10 s. */
function nextChat(room: Room<Messages>, what: string): Promise<{ from: string; text: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no message within 10 s`)), 10_000);
    const off = room.on('message:chat', (message) => {
      clearTimeout(timer);
      off();
      resolve({ from: message.from, text: message.data.text });
    });
  });
}

/** Resolves once `room` lists a peer of `identity` (its join may still be on its way from another node). */
function sees(room: Room<Messages>, identity: string): Promise<void> {
  const listed = () => [...room.peers.values()].some((peer) => peer.identity === identity);
  if (listed()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no peer ${identity} within 10 s`)), 10_000);
    const off = room.on('peerJoined', () => {
      if (!listed()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

function fail(error: Error): never {
  report('failed', { error: error.message });
  process.exit(1);
}

try {
  const alice = await join('alice', firstUrl);
  const bob = await join('bob', secondUrl);
  await sees(alice, 'bob');
  for (const [sender, receiver, text] of [
    [alice, bob, 'hello from alice'],
    [bob, alice, 'hello from bob'],
  ] as const) {
    const started = performance.now();
    const received = nextChat(receiver, text);
    await sender.send('chat', { text });
    const message = await received;
    if (message.text !== text || message.from !== sender.peerId) throw new Error(`${text}: got ${JSON.stringify(message)}`);
    report('message', { text, from: sender.peerId, to: receiver.peerId, ms: Math.round(performance.now() - started) });
  }
  await Promise.all(rooms.map((room) => room.leave()));
  report('left', { room: roomName });
  clearTimeout(deadline);
} catch (error) {
  fail(error as Error);
}
