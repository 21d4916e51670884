/** A server layout the end-to-end suites run in, with the same assertions in each. */
export interface Topology {
  readonly name: string;
  /** Server flags that set it up. */
  readonly flags: readonly string[];
  /** How many workers a room with two or more peers spans. */
  readonly workersPerRoom: number;
}

/**
 * One worker; and two workers with each room's peers placed on them in turn, so consecutive
 * peers of a room are on different workers and every delivery and track crosses workers.
 */
export const TOPOLOGIES: readonly Topology[] = [
  { name: 'one worker', flags: ['--workers', '1'], workersPerRoom: 1 },
  { name: 'two workers, peers spread', flags: ['--workers', '2', '--worker-placement', 'spread'], workersPerRoom: 2 },
];
