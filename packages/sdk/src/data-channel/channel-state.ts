import type { OutgoingChannel } from './channel.js';

/**
 * A sender's view of its outgoing channel: whether it is open, as its events left it, and how
 * much it has buffered, estimated. Reading a DataChannel's `readyState` or `bufferedAmount` from
 * wrtc (Node) blocks on libwebrtc's signaling thread, which on a busy machine can wait for a time
 * slice: a sender that read both on every message spent most of its time there. The estimate is
 * the amount last read plus the bytes sent since, never below the real amount (which only
 * drains meanwhile), so the channel is read again only when the estimate passes a limit.
 */
export class ChannelState {
  private isOpen: boolean;
  private bufferedRead = 0;
  private sentSinceRead = 0;
  private readonly opened = (): void => {
    this.isOpen = true;
  };
  private readonly closed = (): void => {
    this.isOpen = false;
  };

  constructor(readonly channel: OutgoingChannel) {
    this.isOpen = channel.readyState === 'open';
    this.bufferedRead = channel.bufferedAmount;
    channel.on('open', this.opened);
    channel.on('close', this.closed);
  }

  /** Whether the channel is open, as of its last event, failed send or {@link refresh}. */
  get open(): boolean {
    return this.isOpen;
  }

  /** Reads the channel's state again (while polling: not every channel fires every event). */
  refresh(): boolean {
    this.isOpen = this.channel.readyState === 'open';
    return this.isOpen;
  }

  /** Bytes buffered, read from the channel. */
  buffered(): number {
    this.bufferedRead = this.channel.bufferedAmount;
    this.sentSinceRead = 0;
    return this.bufferedRead;
  }

  /** Whether more than `limit` bytes are buffered; reads the channel only when they may be. */
  bufferedAbove(limit: number): boolean {
    return this.bufferedRead + this.sentSinceRead > limit && this.buffered() > limit;
  }

  /** Hands `bytes` to the channel; false (and no longer open) when it throws, as a closing channel does. */
  send(bytes: Uint8Array): boolean {
    try {
      this.channel.send(bytes);
    } catch {
      this.isOpen = false;
      return false;
    }
    this.sentSinceRead += bytes.byteLength;
    return true;
  }

  /** Stops listening to the channel. */
  dispose(): void {
    this.channel.off('open', this.opened);
    this.channel.off('close', this.closed);
  }
}
