// A minimal client of Janus's TextRoom plugin for Node, on @roamhq/wrtc: the Janus API over
// WebSockets (create a session, attach `janus.plugin.textroom`, `setup` → Janus's offer with a
// DataChannel → our answer), then TextRoom requests (`join`, `message`) as JSON on the channel.
import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';
import { withTimeout } from '../support/time.js';

const REQUEST_TIMEOUT_MS = 15_000;
const OPEN_TIMEOUT_MS = 15_000;
// The label janus.js gives the channel it opens; Janus sends a plugin's data on it.
const CHANNEL_LABEL = 'JanusDataChannel';

type Json = Record<string, unknown>;

/** A TextRoom message as a receiver sees it. */
export interface TextRoomMessage {
  from: string;
  text: string;
}

/** One WebSocket to Janus carrying one session, with any number of plugin handles. */
export class JanusSession {
  private nextTransaction = 1;
  private readonly pending = new Map<string, { resolve: (reply: Json) => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly ws: WebSocket,
    private sessionId = 0,
  ) {
    ws.on('message', (raw: Buffer) => {
      const reply = JSON.parse(raw.toString()) as Json;
      // `ack` only says an asynchronous request was queued; its `event` follows.
      if (reply.janus === 'ack' || typeof reply.transaction !== 'string') return;
      const waiter = this.pending.get(reply.transaction);
      this.pending.delete(reply.transaction);
      if (reply.janus === 'error') waiter?.reject(new Error(`Janus error: ${JSON.stringify(reply.error)}`));
      else waiter?.resolve(reply);
    });
    ws.on('close', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('the Janus WebSocket closed'));
      this.pending.clear();
    });
  }

  static async open(url: string): Promise<JanusSession> {
    const ws = new WebSocket(url, 'janus-protocol');
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      }),
      OPEN_TIMEOUT_MS,
      `the WebSocket to Janus at ${url} opening`,
    );
    const session = new JanusSession(ws);
    const created = await session.call({ janus: 'create' });
    session.sessionId = (created.data as { id: number }).id;
    return session;
  }

  /** A Janus API request; resolves with its `success` or, for an asynchronous one, its `event`. */
  call(request: Json): Promise<Json> {
    const transaction = `t${this.nextTransaction++}`;
    const replied = new Promise<Json>((resolve, reject) => this.pending.set(transaction, { resolve, reject }));
    const body = this.sessionId ? { ...request, session_id: this.sessionId, transaction } : { ...request, transaction };
    this.ws.send(JSON.stringify(body));
    return withTimeout(replied, REQUEST_TIMEOUT_MS, `Janus's answer to ${JSON.stringify(request).slice(0, 80)}`).finally(() =>
      this.pending.delete(transaction),
    );
  }

  /** A Janus API request whose only reply is an `ack` (e.g. `trickle`): sent, not awaited. */
  notify(request: Json): void {
    this.ws.send(JSON.stringify({ ...request, session_id: this.sessionId, transaction: `t${this.nextTransaction++}` }));
  }

  /** Attaches a new TextRoom handle. */
  async attach(): Promise<number> {
    const attached = await this.call({ janus: 'attach', plugin: 'janus.plugin.textroom' });
    return (attached.data as { id: number }).id;
  }

  /** A plugin request on `handleId`; returns the plugin's data and any JSEP. Plugin errors reject. */
  async message(handleId: number, body: Json, jsep?: Json): Promise<{ data: Json; jsep?: Json }> {
    const reply = await this.call({ janus: 'message', handle_id: handleId, body, ...(jsep ? { jsep } : {}) });
    const data = ((reply.plugindata as { data?: Json } | undefined)?.data ?? {}) as Json;
    if (data.textroom === 'error' || data.error !== undefined) throw new Error(`TextRoom error: ${JSON.stringify(data)}`);
    return { data, jsep: reply.jsep as Json | undefined };
  }

  /** Creates TextRoom room `room` (not saved to Janus's config). */
  async createRoom(room: number): Promise<void> {
    await this.message(await this.attach(), { request: 'create', room, permanent: false });
  }

  close(): void {
    this.ws.close();
  }
}

/** A TextRoom participant: one PeerConnection to Janus with its DataChannel. */
export class TextRoomPeer {
  /** Called for every `message` event (public or whisper) this peer receives. */
  onMessage: (message: TextRoomMessage) => void = () => undefined;
  private nextTransaction = 1;
  private readonly pending = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly pc: RTCPeerConnection,
    private readonly channel: RTCDataChannel,
  ) {
    channel.addEventListener('message', (event: MessageEvent) => {
      const message = JSON.parse(String(event.data)) as Json;
      if (message.textroom === 'message') {
        this.onMessage({ from: String(message.from), text: String(message.text) });
      } else if (typeof message.transaction === 'string') {
        const waiter = this.pending.get(message.transaction);
        this.pending.delete(message.transaction);
        if (message.textroom === 'error') waiter?.reject(new Error(`TextRoom error: ${JSON.stringify(message)}`));
        else waiter?.resolve();
      }
    });
  }

  /**
   * Attaches a handle on `session`, lets Janus offer, answers with only the host candidates on
   * `iceAddress` (see janus-server.ts) and resolves once the DataChannel is open.
   */
  static async connect(session: JanusSession, iceAddress: string): Promise<TextRoomPeer> {
    const handleId = await session.attach();
    const { jsep: offer } = await session.message(handleId, { request: 'setup' });
    if (offer?.type !== 'offer') throw new Error(`Janus's setup reply carried no offer: ${JSON.stringify(offer)}`);
    const pc: RTCPeerConnection = new wrtc.RTCPeerConnection();
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: String(offer.sdp) });
      const channel = pc.createDataChannel(CHANNEL_LABEL, { ordered: true });
      await pc.setLocalDescription(await pc.createAnswer());
      const answer = await gatheredOn(pc, iceAddress);
      await session.message(handleId, { request: 'ack' }, { type: 'answer', sdp: answer });
      session.notify({ janus: 'trickle', handle_id: handleId, candidate: { completed: true } });
      await withTimeout(
        new Promise<void>((resolve) => (channel.readyState === 'open' ? resolve() : channel.addEventListener('open', () => resolve(), { once: true }))),
        OPEN_TIMEOUT_MS,
        'the DataChannel to Janus opening',
      );
      return new TextRoomPeer(pc, channel);
    } catch (error) {
      pc.close();
      throw error;
    }
  }

  /** A TextRoom request on the DataChannel, resolved by its `success` (rejected by its `error`). */
  request(body: Json): Promise<void> {
    const transaction = `d${this.nextTransaction++}`;
    const replied = new Promise<void>((resolve, reject) => this.pending.set(transaction, { resolve, reject }));
    this.channel.send(JSON.stringify({ ...body, transaction }));
    return withTimeout(replied, REQUEST_TIMEOUT_MS, `TextRoom's answer to ${String(body.textroom)}`).finally(() => this.pending.delete(transaction));
  }

  /** A TextRoom request that asks for no answer (`message` with `ack: false`): on the channel, done. */
  post(body: Json): void {
    this.channel.send(JSON.stringify({ ...body, transaction: `d${this.nextTransaction++}` }));
  }

  join(room: number, username: string): Promise<void> {
    return this.request({ textroom: 'join', room, username, display: username });
  }

  /** Bytes queued on the DataChannel and not yet handed to SCTP. */
  get bufferedAmount(): number {
    return this.channel.bufferedAmount;
  }

  close(): void {
    this.pc.close();
  }
}

/** The local description once gathering is complete, with only UDP host candidates on `address`. */
async function gatheredOn(pc: RTCPeerConnection, address: string): Promise<string> {
  if (pc.iceGatheringState !== 'complete') {
    await withTimeout(
      new Promise<void>((resolve) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve())),
      OPEN_TIMEOUT_MS,
      'ICE gathering',
    );
  }
  const candidate = new RegExp(`^a=candidate:\\S+ \\d+ udp \\d+ ${address.replaceAll('.', '\\.')} `);
  return pc.localDescription!.sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || candidate.test(line))
    .join('\r\n');
}
