/**
 * How long each peer's resumes took, from the SDK's `reconnecting` to its `connected` again,
 * read from the load processes' connection events (stamped where they happened).
 */
export class ResumeTimes {
  /** The peers reconnecting now, and since when. */
  private readonly lostAt = new Map<string, number>();
  /** Every completed resume, in ms. */
  readonly durations: number[] = [];

  /** One connection event of `identity` at `at` (ms since the epoch). */
  event(identity: string, event: 'lost' | 'resumed' | 'closed', at: number): void {
    const lost = this.lostAt.get(identity);
    if (event === 'lost') {
      // A second loss before the resume keeps the first: the user waited since then.
      if (lost === undefined) this.lostAt.set(identity, at);
      return;
    }
    this.lostAt.delete(identity);
    if (event === 'resumed' && lost !== undefined) this.durations.push(at - lost);
  }
}
