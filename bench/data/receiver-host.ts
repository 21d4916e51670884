// Child process entry of ReceiverHost (receivers.ts): hosts receiving peers, SDK or
// peer-to-peer, counts what they receive by run tag and answers the parent over IPC.
import type { Room } from '@switchboard/sdk';
import { answerP2p, type P2pEnd } from '../support/p2p.js';
import { joinAll, leaveAll } from '../support/sdk-peer.js';
import type { Collected, HostCalls, HostReplyMessage, HostRequestMessage } from './receivers.js';

let rooms: Room[] = [];
let ends: P2pEnd[] = [];
/** Messages received and when the last came, by run tag (a payload's first byte). */
const runs = new Map<number, { count: number; lastAt: number }>();
let resumes = 0;
let disconnects = 0;
let onCount: ((tag: number) => void) | undefined;

const now = (): number => performance.timeOrigin + performance.now();

function record(payload: Uint8Array): void {
  const tag = payload[0] ?? 0;
  const run = runs.get(tag) ?? { count: 0, lastAt: 0 };
  run.count++;
  run.lastAt = now();
  runs.set(tag, run);
  onCount?.(tag);
}

const handlers: { [C in keyof HostCalls]: (request: HostCalls[C]['request']) => Promise<HostCalls[C]['reply']> } = {
  async join({ wsUrl, tokens }) {
    const joined = await joinAll(wsUrl, tokens);
    for (const room of joined) {
      room.on('message', (message) => record(message.data as Uint8Array));
      room.on('connectionStateChanged', ({ state }) => state === 'reconnecting' && resumes++);
      room.on('disconnected', ({ reason }) => reason !== 'left' && disconnects++);
    }
    rooms.push(...joined);
    return {};
  },

  async answer({ offer }) {
    const { answer, end } = await answerP2p(offer);
    void end.then((opened) => {
      opened.channel.onmessage = (event: MessageEvent<ArrayBuffer>) => record(new Uint8Array(event.data));
      ends.push(opened);
    }, () => undefined);
    return { answer };
  },

  collect({ tag, expected, timeoutMs, idleMs }) {
    return new Promise<Collected>((resolve) => {
      const started = now();
      const run = () => runs.get(tag) ?? { count: 0, lastAt: 0 };
      const finish = (): void => {
        clearInterval(idleCheck);
        clearTimeout(deadline);
        onCount = undefined;
        resolve({ ...run(), resumes, disconnects });
        // Whatever still comes for this run or an older one is late and ignored.
        runs.clear();
        resumes = disconnects = 0;
      };
      onCount = (counted) => counted === tag && run().count >= expected && finish();
      const deadline = setTimeout(finish, timeoutMs);
      const idleCheck = setInterval(() => now() - Math.max(started, run().lastAt) > idleMs && finish(), 100);
      onCount(tag);
    });
  },

  async clear() {
    await leaveAll(rooms);
    for (const end of ends) end.close();
    rooms = [];
    ends = [];
    return {};
  },
};

process.on('message', (message: HostRequestMessage) => {
  const handler = handlers[message.call] as (request: unknown) => Promise<unknown>;
  handler(message.request).then(
    (reply) => process.send!({ id: message.id, reply } satisfies HostReplyMessage),
    (error: unknown) => process.send!({ id: message.id, error: String(error) } satisfies HostReplyMessage),
  );
});

// The parent disconnecting is the signal to stop. Exit explicitly after closing every WebRTC
// object: letting Node exit with live wrtc objects can crash in a finalizer.
process.once('disconnect', () => {
  void handlers.clear({}).finally(() => process.exit(0));
});
