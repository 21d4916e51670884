import type { DirectSignal } from '../protocol/index.js';

/** What a {@link DirectLink} needs from its channel. */
export interface LinkOptions {
  RTCPeerConnection: typeof RTCPeerConnection;
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  /** Local candidates it returns false for are never signaled (e.g. to keep traffic off a network). */
  candidateFilter: ((candidate: string) => boolean) | undefined;
  /** Sends a signal to the peer, through the server. */
  signal: (signal: DirectSignal) => void;
  /** A frame arrived on one of the two data channels. */
  onFrame: (bytes: Uint8Array) => void;
  /** The link came up, went down, or failed to negotiate. */
  onChange: () => void;
}

const UP_ICE_STATES: ReadonlySet<RTCIceConnectionState> = new Set(['connected', 'completed']);

// How long a closed link keeps its connection, unless the peer closes its end first. The peer
// learns of the close (through the server, or by negotiating a new link) and stops sending;
// closing from here while it still sends can crash it if it runs wrtc (Node): see
// docs/decisions.md, "The client closes its outgoing DataChannels first".
const CLOSE_LINGER_MS = 1000;

/**
 * One `RTCPeerConnection` between two peers with two pre-negotiated data channels (reliable and
 * ordered; lossy and unordered without retransmits), so no in-band DATA_CHANNEL_OPEN is needed
 * and both sides agree on them from the SDP alone. A channel replaces its link, rather than
 * repairing it, whenever it negotiates again.
 */
export class DirectLink {
  readonly pc: RTCPeerConnection;
  private readonly reliable: RTCDataChannel;
  private readonly lossy: RTCDataChannel;
  // Candidates that came before the remote description, which they need.
  private readonly early: RTCIceCandidateInit[] = [];
  private remoteSet = false;
  private closed = false;
  private released = false;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;
  // The link's state as its last event or refresh left it. Reading it from wrtc costs a blocking
  // hop to its signaling thread per getter, which on a busy machine can wait for a time slice:
  // sending reads these instead, and events and refresh() keep them current.
  private isUp = false;
  // bufferedAmount as last read, plus the bytes sent since: never below the real amount, which
  // only drains meanwhile, so it need be read again only when this estimate passes a limit.
  private bufferedRead = 0;
  private sentSinceRead = 0;
  /** Negotiation failed (a bad SDP or candidate from the peer, or the browser's refusal). */
  failed = false;

  constructor(private readonly options: LinkOptions) {
    this.pc = new options.RTCPeerConnection({ iceServers: options.iceServers, iceTransportPolicy: options.iceTransportPolicy });
    this.reliable = this.pc.createDataChannel('sb-direct-reliable', { negotiated: true, id: 0, ordered: true });
    this.lossy = this.pc.createDataChannel('sb-direct-lossy', { negotiated: true, id: 1, ordered: false, maxRetransmits: 0 });
    for (const channel of [this.reliable, this.lossy]) {
      channel.binaryType = 'arraybuffer';
      channel.onopen = () => this.changed();
      channel.onclose = () => (this.closed ? this.release() : this.changed());
      channel.onmessage = (event: MessageEvent) => {
        if (!this.closed && event.data instanceof ArrayBuffer) options.onFrame(new Uint8Array(event.data));
      };
    }
    this.pc.onicecandidate = (event) => this.localCandidate(event.candidate);
    this.pc.oniceconnectionstatechange = () => this.changed();
  }

  /** Both data channels are open over a connected ICE path (as of the last event or {@link refresh}). */
  get up(): boolean {
    return this.isUp;
  }

  /** Reads the link's state from WebRTC again: closing one's own connection fires no event. */
  refresh(): void {
    this.isUp =
      !this.closed &&
      this.reliable.readyState === 'open' &&
      this.lossy.readyState === 'open' &&
      UP_ICE_STATES.has(this.pc.iceConnectionState);
  }

  /** Bytes queued on the reliable data channel, read from WebRTC. */
  get buffered(): number {
    this.bufferedRead = this.reliable.bufferedAmount;
    this.sentSinceRead = 0;
    return this.bufferedRead;
  }

  /** Whether more than `limit` bytes are queued on the reliable data channel; reads WebRTC only when it may be. */
  bufferedAbove(limit: number): boolean {
    return this.bufferedRead + this.sentSinceRead > limit && this.buffered > limit;
  }

  /** Creates and signals the offer (the opener's side). */
  offer(): void {
    this.negotiate(async () => {
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      this.options.signal({ type: 'offer', sdp: offer.sdp ?? '' });
    });
  }

  /** Takes the peer's offer and signals the answer (the accepting side). */
  answer(sdp: string): void {
    this.negotiate(async () => {
      await this.setRemote({ type: 'offer', sdp });
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      this.options.signal({ type: 'answer', sdp: answer.sdp ?? '' });
    });
  }

  /** Takes the peer's answer to our offer. */
  answered(sdp: string): void {
    this.negotiate(() => this.setRemote({ type: 'answer', sdp }));
  }

  /** Takes one of the peer's ICE candidates. */
  candidate(signal: Extract<DirectSignal, { type: 'candidate' }>): void {
    if (signal.candidate === '') return;
    const init: RTCIceCandidateInit = { candidate: signal.candidate, sdpMid: signal.sdpMid ?? null, sdpMLineIndex: signal.sdpMLineIndex ?? null };
    if (!this.remoteSet) this.early.push(init);
    else void this.addCandidate(init);
  }

  /** Sends on the reliable (ordered) or lossy data channel; false when the link is not up. */
  send(bytes: Uint8Array, reliable: boolean): boolean {
    if (!this.isUp) return false;
    try {
      (reliable ? this.reliable : this.lossy).send(bytes as Uint8Array<ArrayBuffer>);
    } catch {
      // Closed since the last event: the caller takes the relay.
      this.refresh();
      return false;
    }
    if (reliable) this.sentSinceRead += bytes.byteLength;
    return true;
  }

  /**
   * Stops sending and delivering at once. The connection closes when the peer closes its end, or
   * {@link CLOSE_LINGER_MS} later; at once with `peerStopped` (the peer said it closed, so it
   * sends nothing more).
   */
  close(peerStopped = false): void {
    if (this.closed) return;
    this.closed = true;
    this.isUp = false;
    if (peerStopped) this.release();
    else this.releaseTimer = setTimeout(() => this.release(), CLOSE_LINGER_MS);
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    clearTimeout(this.releaseTimer);
    this.reliable.close();
    this.lossy.close();
    this.pc.close();
  }

  private async setRemote(description: RTCSessionDescriptionInit): Promise<void> {
    await this.pc.setRemoteDescription(description);
    this.remoteSet = true;
    for (const init of this.early.splice(0)) await this.addCandidate(init);
  }

  // A candidate WebRTC rejects (one of an earlier negotiation, or garbage) is one path less, not a
  // failed link: the others may still connect.
  private async addCandidate(init: RTCIceCandidateInit): Promise<void> {
    await this.pc.addIceCandidate(init).catch(() => undefined);
  }

  private localCandidate(candidate: RTCIceCandidate | null): void {
    if (this.closed || candidate === null || candidate.candidate === '') return;
    if (this.options.candidateFilter !== undefined && !this.options.candidateFilter(candidate.candidate)) return;
    const signal: DirectSignal = { type: 'candidate', candidate: candidate.candidate };
    if (candidate.sdpMid !== null) signal.sdpMid = candidate.sdpMid;
    if (candidate.sdpMLineIndex !== null) signal.sdpMLineIndex = candidate.sdpMLineIndex;
    this.options.signal(signal);
  }

  // Whatever the peer sent that WebRTC rejects fails this link only; the channel stays on relay.
  private negotiate(step: () => Promise<void>): void {
    step().catch(() => {
      if (this.closed) return;
      this.failed = true;
      this.changed();
    });
  }

  private changed(): void {
    this.refresh();
    if (!this.closed) this.options.onChange();
  }
}
