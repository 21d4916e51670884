/** Subchannel every receiving peer listens on: broadcasts without a topic. */
export const UNTOPICED = 1;
/** Subchannel of receiving peers without a topic filter: broadcasts with any topic. */
export const ALL_TOPICS = 2;
const FIRST_DYNAMIC = 3;
const LAST_DYNAMIC = 65535;

/**
 * Hands out the room's mediasoup subchannels (uint16): one per peer for targeted messages and
 * one per topic that some peer filters on, and counts each one's subscribers so the server
 * knows how many deliveries a send makes without walking the peer list.
 */
export class Subchannels {
  private next = FIRST_DYNAMIC;
  private readonly free: number[] = [];
  private readonly topicIds = new Map<string, number>();
  private readonly subscribers = new Map<number, number>();

  /** A fresh subchannel for a peer; undefined when the room has used up all 65533. */
  allocate(): number | undefined {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    return this.next <= LAST_DYNAMIC ? this.next++ : undefined;
  }

  /** Returns a peer's subchannel for reuse. */
  release(subchannel: number): void {
    this.subscribers.delete(subchannel);
    this.free.push(subchannel);
  }

  /** The subchannel of a topic, if any receiver filters on it. */
  topic(topic: string): number | undefined {
    return this.topicIds.get(topic);
  }

  /**
   * The subchannels a receiver listens on, given its own subchannel and topic filter; allocates
   * topic subchannels as needed. Call {@link unsubscribe} with the result when it changes.
   */
  subscribe(own: number, topics: ReadonlySet<string> | null): number[] {
    const list = [own, UNTOPICED];
    if (topics === null) list.push(ALL_TOPICS);
    else {
      for (const topic of topics) {
        let id = this.topicIds.get(topic);
        if (id === undefined) {
          id = this.allocate();
          if (id === undefined) continue;
          this.topicIds.set(topic, id);
        }
        list.push(id);
      }
    }
    for (const id of list) this.subscribers.set(id, (this.subscribers.get(id) ?? 0) + 1);
    return list;
  }

  /** Undoes one {@link subscribe}; frees topic subchannels nobody listens on any more. */
  unsubscribe(list: readonly number[]): void {
    for (const id of list) {
      const left = (this.subscribers.get(id) ?? 1) - 1;
      if (left > 0) {
        this.subscribers.set(id, left);
        continue;
      }
      this.subscribers.delete(id);
      for (const [topic, topicId] of this.topicIds) {
        if (topicId !== id) continue;
        this.topicIds.delete(topic);
        this.free.push(id);
      }
    }
  }

  /** How many receivers listen on any of `list` (each receiver counted once per list entry). */
  count(list: readonly number[]): number {
    let total = 0;
    for (const id of list) total += this.subscribers.get(id) ?? 0;
    return total;
  }
}
