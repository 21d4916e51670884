import { SwitchboardError } from '@switchboard/sdk/protocol';
import type { NodeRequests } from '../cluster/node-requests.js';

/** One node's load, as the console's cluster view lists it. */
export interface NodeStats {
  node: string;
  /** The server process's CPU use over the last few seconds, in percent of one core. */
  cpuPercent: number;
  rssBytes: number;
  rooms: number;
  peers: number;
  workers: { alive: number; total: number };
  uptimeSeconds: number;
}

/** A node that did not answer, and why. */
export interface NodeStatsMissing {
  node: string;
  error: string;
}

/** What {@link ClusterNodeStats} needs. */
export interface ClusterNodeStatsOptions {
  nodeId: string;
  /** This node's stats. */
  local(): NodeStats;
  /** The live nodes of the cluster, this one included. */
  liveNodes(): string[];
  /** Requests between nodes; absent without a cluster. */
  requests?: NodeRequests | undefined;
}

const NODE_STATS = 'consoleNodeStats';

/**
 * Every live node's load for the console, asked of each node (over Redis) when a viewer asks:
 * only the node itself knows its CPU and memory. A node that does not answer is listed with the
 * error, not left out. Each node answers only if its console is on.
 */
export class ClusterNodeStats {
  constructor(private readonly options: ClusterNodeStatsOptions) {
    options.requests?.onRequest(NODE_STATS, async () => options.local());
  }

  async all(): Promise<(NodeStats | NodeStatsMissing)[]> {
    const { nodeId, requests } = this.options;
    return Promise.all(
      this.options.liveNodes().map(async (node) => {
        if (node === nodeId) return this.options.local();
        if (!requests) return { node, error: 'no cluster link' };
        try {
          return (await requests.request(node, NODE_STATS, {})) as NodeStats;
        } catch (error) {
          return { node, error: error instanceof SwitchboardError ? error.message : String(error) };
        }
      }),
    );
  }
}
