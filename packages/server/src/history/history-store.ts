import type { SequencedMessage } from '../cluster/room-bus.js';
import { historyKeeps, newestWithin, type HistoryPolicy } from './history-policy.js';

/**
 * One room's history in memory (the single-node bus): its policy and the messages it keeps,
 * oldest first, trimmed to the policy on every append. The Redis bus keeps the same thing in
 * Redis (see redis-scripts.ts) so that any node can read it.
 */
export class HistoryStore {
  /** Undefined until a policy (null: none) is chosen. */
  private policy: HistoryPolicy | null | undefined;
  private kept: SequencedMessage[] = [];

  /** The room's policy (null: no history). */
  get current(): HistoryPolicy | null {
    return this.policy ?? null;
  }

  /**
   * Sets the policy: `replace` always, `ifUnset` only when the room has none yet (the first
   * joiner's token, or the server's default). Returns the policy in force. A replacement keeps
   * what was kept and trims it to the new policy.
   */
  set(policy: HistoryPolicy | null, mode: 'replace' | 'ifUnset'): HistoryPolicy | null {
    if (mode === 'replace' || this.policy === undefined) {
      this.policy = policy;
      this.kept = policy ? newestWithin(this.kept.filter((m) => historyKeeps(policy, m.type, m.topic, false)), policy) : [];
    }
    return this.policy;
  }

  /** Keeps a just-sequenced message if the policy wants it. */
  offer(message: SequencedMessage): void {
    const policy = this.policy ?? null;
    if (!policy || !historyKeeps(policy, message.type, message.topic, message.targets !== undefined)) return;
    this.kept.push(message);
    // Trimmed in steps, so keeping a message stays O(1) amortised.
    if (this.kept.length > policy.limit * 2) this.kept = newestWithin(this.kept, policy);
  }

  /** The kept messages, oldest first (up to twice the policy's limit). */
  get messages(): readonly SequencedMessage[] {
    return this.policy ? [...this.kept] : [];
  }
}
