/**
 * Which reliable sequence numbers of the last {@link SeqWindow.size} a receiver has seen: one bit
 * each in a ring, so the per-message check is an index and a mask (no hashing, no allocation).
 * Numbers at or below `highest - size` count as seen: the server's replay never reaches back
 * further than its log, which holds far fewer messages.
 */
export class SeqWindow {
  static readonly size = 65536;
  private readonly bits = new Uint32Array(SeqWindow.size / 32);
  private top = 0;

  /** The highest number seen. */
  get highest(): number {
    return this.top;
  }

  /** Records `seq`; false when it was seen already (or is too old to tell). */
  add(seq: number): boolean {
    if (seq <= this.top - SeqWindow.size) return false;
    if (seq > this.top) {
      this.forget(this.top + 1, seq);
      this.top = seq;
    } else if (this.has(seq)) {
      return false;
    }
    this.bits[(seq & (SeqWindow.size - 1)) >>> 5]! |= 1 << (seq & 31);
    return true;
  }

  private has(seq: number): boolean {
    return (this.bits[(seq & (SeqWindow.size - 1)) >>> 5]! & (1 << (seq & 31))) !== 0;
  }

  // Clears the slots of numbers from..to-1, which the ring last used for numbers a window older.
  private forget(from: number, to: number): void {
    if (to - from >= SeqWindow.size) {
      this.bits.fill(0);
      return;
    }
    for (let seq = from; seq < to; seq++) this.bits[(seq & (SeqWindow.size - 1)) >>> 5]! &= ~(1 << (seq & 31));
  }
}
