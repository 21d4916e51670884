import { MessageRejectedError } from '../errors.js';
import type { WireError } from '../protocol/index.js';

interface Waiting {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Receipts of reliable messages: the promise of each message sent with one settles once, when
 * the server's `ack` covers its number (accepted) or its `messageRejected` names it (refused).
 * The server never acks past a message whose fate is still open, and repeats its latest
 * refusals when a session resumes, so a refusal always comes before the ack that covers it.
 * No timers: a receipt waits for as long as the session lives, and fails with it.
 */
export class SendReceipts {
  // Insertion order is sequence order: messages are numbered as they are sent.
  private readonly waiting = new Map<number, Waiting>();

  /** How many receipts are outstanding. */
  get pending(): number {
    return this.waiting.size;
  }

  /** A receipt for the message numbered `seq`. */
  expect(seq: number): Promise<void> {
    return new Promise((resolve, reject) => this.waiting.set(seq, { resolve, reject }));
  }

  /** The server processed our messages up to `seq`: those not refused were accepted. */
  accepted(seq: number): void {
    for (const [waitingSeq, waiting] of this.waiting) {
      if (waitingSeq > seq) return;
      this.waiting.delete(waitingSeq);
      waiting.resolve();
    }
  }

  /**
   * The server refused the message numbered `error.seq`; false if no receipt waited for it
   * (sent without one, or a repeated refusal).
   */
  rejected(error: MessageRejectedError): boolean {
    const waiting = this.waiting.get(error.seq);
    if (waiting === undefined) return false;
    this.waiting.delete(error.seq);
    waiting.reject(error);
    return true;
  }

  /**
   * A resume: the refusals its join result repeats (which the old connection may have lost),
   * then its ack. Returns the refusals that settled a receipt, for the `messageRejected` event.
   */
  resumed(rejected: readonly { seq: number; error: WireError }[], lastAcceptedSeq: number): MessageRejectedError[] {
    const settled = rejected
      .map(({ seq, error }) => new MessageRejectedError(error.code, error.message, seq, 'reliable'))
      .filter((rejection) => this.rejected(rejection));
    this.accepted(lastAcceptedSeq);
    return settled;
  }

  /** The session is over: every outstanding receipt rejects with `error`. */
  fail(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}
