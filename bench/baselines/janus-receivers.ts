// Child process of janus-textroom.ts: TextRoom receivers, apart from the sender so that the two
// do not share an event loop or CPU. Counts the messages each run (a tag at the start of the
// text) delivers and when the last one came, and answers the parent over IPC.
import { serveCalls } from '../support/child-host.js';
import { sleep } from '../support/time.js';
import { JanusSession, TextRoomPeer } from './janus-client.js';

// A collect ends when every delivery came, when none came for this long, or at the cap.
const DRAIN_IDLE_MS = 5_000;
const DRAIN_MAX_MS = 30_000;

export type ReceiverCalls = {
  join: { request: { wsUrl: string; iceAddress: string; room: number; count: number }; reply: { usernames: string[] } };
  collect: { request: { tag: string; expected: number }; reply: { count: number; lastAt: number } };
  clear: { request: Record<string, never>; reply: Record<string, never> };
};

let session: JanusSession | undefined;
let peers: TextRoomPeer[] = [];
const runs = new Map<string, { count: number; lastAt: number }>();

function record(text: string): void {
  const tag = text.slice(0, text.indexOf(':'));
  const run = runs.get(tag) ?? { count: 0, lastAt: 0 };
  run.count++;
  run.lastAt = performance.timeOrigin + performance.now();
  runs.set(tag, run);
}

serveCalls<ReceiverCalls>(
  {
    async join({ wsUrl, iceAddress, room, count }) {
      session ??= await JanusSession.open(wsUrl);
      const usernames: string[] = [];
      // One at a time: 50 DTLS handshakes at once on 2 loaded cores can time out.
      for (let i = 0; i < count; i++) {
        const peer = await TextRoomPeer.connect(session, iceAddress);
        const username = `r${room}-${i}`;
        await peer.join(room, username);
        peer.onMessage = ({ text }) => record(text);
        peers.push(peer);
        usernames.push(username);
      }
      return { usernames };
    },

    async collect({ tag, expected }) {
      const started = Date.now();
      let last = -1;
      let lastChange = Date.now();
      for (;;) {
        const count = runs.get(tag)?.count ?? 0;
        if (count >= expected || Date.now() - started > DRAIN_MAX_MS) break;
        if (count !== last) [last, lastChange] = [count, Date.now()];
        else if (Date.now() - lastChange > DRAIN_IDLE_MS) break;
        await sleep(10);
      }
      return runs.get(tag) ?? { count: 0, lastAt: 0 };
    },

    async clear() {
      for (const peer of peers) peer.close();
      peers = [];
      runs.clear();
      return {};
    },
  },
  async () => {
    for (const peer of peers) peer.close();
    session?.close();
  },
);
