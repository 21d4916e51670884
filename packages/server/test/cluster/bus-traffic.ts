import { SwitchboardError } from '@switchboard/sdk/protocol';
import type { RoomChannel } from '../../src/cluster/room-bus.js';
import { sleep } from '../support/test-server.js';
import { message, text, type Recorder } from './bus-support.js';

/** What became of one numbered message a sender published. */
interface Outcome {
  readonly sender: string;
  readonly n: number;
  /** The room number it was given, 0 if refused; undefined while unanswered. */
  seq?: number;
  /** How long the answer took, ms. */
  answerMs?: number;
}

/** The tally of a run: what every receiving node got of what was sent. */
export interface TrafficVerdict {
  sent: number;
  accepted: number;
  refused: number;
  /** Messages handed to receivers, summed over the receiving nodes. */
  deliveries: number;
  /** Accepted, yet neither delivered nor reported lost at some node (per node). */
  silentlyLost: number;
  /** Accepted and reported lost by a gap at some node (per node). */
  reportedLost: number;
  duplicates: number;
  refusedYetDelivered: number;
  /** Deliveries out of the sender's order. */
  reordered: number;
  /** The slowest refusal, ms. */
  slowestRefusalMs: number;
}

/**
 * Numbered reliable traffic on a room's channels: each sender publishes `sender:n` (n = 1, 2…)
 * every `gapMs` until stopped, awaiting each answer before the next as a peer's send does, and
 * the receiving nodes' recorders are then checked against the answers.
 */
export class NumberedTraffic {
  private readonly outcomes: Outcome[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(senders: readonly { id: string; channel: RoomChannel }[], gapMs: number) {
    this.loops = senders.map(async ({ id, channel }) => {
      for (let n = 1; this.running; n++) {
        const outcome: Outcome = { sender: id, n };
        this.outcomes.push(outcome);
        const started = Date.now();
        try {
          outcome.seq = await channel.publishReliable(message(id, `${id}:${n}`));
        } catch (error) {
          if (!(error instanceof SwitchboardError) || error.code !== 'UNAVAILABLE') throw error;
          outcome.seq = 0;
        }
        outcome.answerMs = Date.now() - started;
        await sleep(gapMs);
      }
    });
  }

  /** How many messages were accepted so far. */
  get accepted(): number {
    return this.outcomes.filter((o) => (o.seq ?? 0) > 0).length;
  }

  /** How many were refused so far. */
  get refused(): number {
    return this.outcomes.filter((o) => o.seq === 0).length;
  }

  /** The highest number accepted so far. */
  get lastSeq(): number {
    return Math.max(0, ...this.outcomes.map((o) => o.seq ?? 0));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Checks what `receivers` got (each a node's recorder) against the answers. */
  verdict(receivers: readonly Recorder[]): TrafficVerdict {
    const answered = this.outcomes.filter((o) => o.seq !== undefined);
    const accepted = new Map(answered.filter((o) => o.seq! > 0).map((o) => [`${o.sender}:${o.n}`, o]));
    const refused = new Set(answered.filter((o) => o.seq === 0).map((o) => `${o.sender}:${o.n}`));
    const verdict: TrafficVerdict = {
      sent: answered.length,
      accepted: accepted.size,
      refused: refused.size,
      deliveries: 0,
      silentlyLost: 0,
      reportedLost: 0,
      duplicates: 0,
      refusedYetDelivered: 0,
      reordered: 0,
      slowestRefusalMs: Math.max(0, ...answered.filter((o) => o.seq === 0).map((o) => o.answerMs ?? 0)),
    };
    for (const recorder of receivers) {
      const seen = new Set<string>();
      const lastN = new Map<string, number>();
      for (const delivered of recorder.reliableMessages) {
        const body = text(delivered);
        verdict.deliveries++;
        if (seen.has(body)) verdict.duplicates++;
        seen.add(body);
        if (refused.has(body)) verdict.refusedYetDelivered++;
        const [sender, n] = [delivered.from, Number(body.slice(body.lastIndexOf(':') + 1))];
        if (n <= (lastN.get(sender) ?? 0)) verdict.reordered++;
        lastN.set(sender, n);
      }
      for (const [body, outcome] of accepted) {
        if (seen.has(body)) continue;
        if (recorder.gaps.some(([from, to]) => outcome.seq! >= from && outcome.seq! <= to)) verdict.reportedLost++;
        else verdict.silentlyLost++;
      }
    }
    return verdict;
  }
}
