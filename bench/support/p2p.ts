import wrtc from '@roamhq/wrtc';
import { withTimeout } from './time.js';

const OPEN_TIMEOUT_MS = 10_000;
// Only the UDP loopback candidate: the benchmark stays on 127.0.0.1, as the server path does.
const LOOPBACK_CANDIDATE = /^a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 /;

/** One end of a peer-to-peer DataChannel between two @roamhq/wrtc RTCPeerConnections. */
export interface P2pEnd {
  channel: RTCDataChannel;
  close(): void;
}

/**
 * The offering end: creates an ordered, reliable DataChannel, hands the offer to `answer` (in
 * this process or, through IPC, in another) and resolves once the channel is open. ICE is not
 * trickled: each side gathers first, so one offer and one answer are all the signaling needed.
 */
export async function offerP2p(answer: (offer: string) => Promise<string>): Promise<P2pEnd> {
  const pc: RTCPeerConnection = new wrtc.RTCPeerConnection();
  const end = { channel: pc.createDataChannel('bench', { ordered: true }), close: () => pc.close() };
  try {
    end.channel.binaryType = 'arraybuffer';
    await pc.setLocalDescription(await pc.createOffer());
    await pc.setRemoteDescription({ type: 'answer', sdp: await answer(await gathered(pc)) });
    await withTimeout(opened(end.channel), OPEN_TIMEOUT_MS, 'the peer-to-peer DataChannel opening');
    return end;
  } catch (error) {
    end.close();
    throw error;
  }
}

/** The answering end: returns the answer at once, and the end once the offerer's channel is open. */
export async function answerP2p(offer: string): Promise<{ answer: string; end: Promise<P2pEnd> }> {
  const pc: RTCPeerConnection = new wrtc.RTCPeerConnection();
  const close = (): void => pc.close();
  try {
    const incoming = new Promise<RTCDataChannel>((resolve) => (pc.ondatachannel = ({ channel }) => resolve(channel)));
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    const answer = await gathered(pc);
    const end = withTimeout(
      incoming.then(async (channel) => {
        channel.binaryType = 'arraybuffer';
        await opened(channel);
        return { channel, close };
      }),
      OPEN_TIMEOUT_MS,
      'the peer-to-peer DataChannel opening',
    );
    end.catch(close);
    return { answer, end };
  } catch (error) {
    close();
    throw error;
  }
}

/** Both ends in this process. */
export async function p2pPair(): Promise<{ sender: P2pEnd; receiver: P2pEnd }> {
  let receiver: Promise<P2pEnd> | undefined;
  const sender = await offerP2p(async (offer) => {
    const answered = await answerP2p(offer);
    receiver = answered.end;
    return answered.answer;
  });
  return { sender, receiver: await receiver! };
}

/** The local description once ICE gathering is complete, with only the loopback candidate. */
async function gathered(pc: RTCPeerConnection): Promise<string> {
  if (pc.iceGatheringState !== 'complete') {
    await withTimeout(
      new Promise<void>((resolve) =>
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()),
      ),
      OPEN_TIMEOUT_MS,
      'ICE gathering',
    );
  }
  return pc.localDescription!.sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || LOOPBACK_CANDIDATE.test(line))
    .join('\r\n');
}

function opened(channel: RTCDataChannel): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve) => channel.addEventListener('open', () => resolve(), { once: true }));
}
