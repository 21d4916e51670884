import { DisconnectedError, TimeoutError } from '../errors.js';
import type { SwitchboardError } from '../protocol/index.js';
import { explainIceFailure } from './ice-failure.js';
import type { SessionOptions } from './session.js';

/** What the lifecycle needs of the session's options. */
type LifecycleOptions = Pick<SessionOptions, 'join' | 'onFailure' | 'openTimeoutMs' | 'disconnectedGraceMs'>;

/**
 * The states every transport session goes through, whatever its WebRTC side (mediasoup-client
 * or plain RTCPeerConnections): starting, open, closed; a failure before it opened rejects
 * `start`, one after it is reported through `onFailure`, once.
 */
export class SessionLifecycle {
  private isClosed = false;
  private opened = false;
  private breakOpening: ((error: Error) => void) | undefined;
  // Why the session broke, once it did: what a start still under way rejects with.
  private failure: SwitchboardError | undefined;
  private readonly graceTimers = new Map<object, ReturnType<typeof setTimeout>>();

  /** `closeAll` closes the session's transports or connections. */
  constructor(
    private readonly options: LifecycleOptions,
    private readonly closeAll: () => void,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** Runs the session's set-up; on failure, or if the session closed meanwhile, closes and rejects. */
  async start(setUp: () => Promise<void>): Promise<void> {
    try {
      await setUp();
      this.throwIfClosed();
      this.opened = true;
    } catch (error) {
      this.close();
      throw this.failure ?? error;
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.closeAll();
    this.breakOpening?.(this.failure ?? new DisconnectedError('the WebRTC session was closed'));
  }

  /** Throws once the session is closed: set-up steps call it after each await. */
  throwIfClosed(): void {
    if (this.isClosed) throw this.failure ?? new DisconnectedError('the WebRTC session was closed');
  }

  /** Follows the connection state of one of the session's transports (`send` or `recv`). */
  connectionState(transport: object, direction: 'send' | 'recv', state: string): void {
    clearTimeout(this.graceTimers.get(transport));
    this.graceTimers.delete(transport);
    if (state === 'failed') {
      const info = direction === 'send' ? this.options.join.sendTransport : this.options.join.recvTransport;
      this.fail(`the ${direction} transport failed`, explainIceFailure(direction, info));
    } else if (state === 'closed') {
      this.fail(`the ${direction} transport closed`);
    } else if (state === 'disconnected') {
      // ICE often recovers from a short 'disconnected' by itself; only a long one is a failure.
      const timer = setTimeout(() => this.fail(`the ${direction} transport stayed disconnected`), this.options.disconnectedGraceMs);
      this.graceTimers.set(transport, timer);
    }
  }

  /**
   * Resolves when every channel is open (`whenOpen` is asked only for those not open yet: 'open'
   * may have fired already); rejects on timeout or when the session breaks first.
   */
  opening<C extends { readyState: string }>(channels: C[], whenOpen: (channel: C) => Promise<void>): Promise<void> {
    const { openTimeoutMs } = this.options;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`data channels not open within ${openTimeoutMs} ms`)), openTimeoutMs);
      this.breakOpening = reject;
    });
    const open = channels.map((channel) => (channel.readyState === 'open' ? undefined : whenOpen(channel)));
    return Promise.race([Promise.all(open).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * The session broke: a transport failed or a channel closed. `why`, when the failure's cause is
   * known, is what a session still opening rejects with; an open one reports a disconnect caused by it.
   */
  fail(message: string, why?: SwitchboardError): void {
    if (this.isClosed) return;
    const error = new DisconnectedError(message, why ? { cause: why } : undefined);
    this.failure = why ?? error;
    this.close();
    if (this.opened) this.options.onFailure(error);
  }
}
