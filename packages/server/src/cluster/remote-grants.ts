import { parseGrantChange, SwitchboardError, type GrantChange, type Grants } from '@switchboard/sdk/protocol';
import type { NodeRequests } from './node-requests.js';

const SET_GRANTS = 'setGrants';

/** Changes the grants of a peer of another node. */
export interface GrantForwarding {
  /** Asks `node`, the peer's, to change them; resolves with the new grants, rejects typed (`NOT_FOUND`, `UNAVAILABLE`…). */
  forward(node: string, room: string, peerId: string, change: GrantChange, by: string): Promise<Grants>;
}

/** Changes the grants of one of this node's peers; throws `NOT_FOUND` if it has none by that ID in `room`. */
export type LocalGrantChanger = (room: string, peerId: string, change: GrantChange, by: string) => Promise<Grants>;

interface SetGrantsBody {
  room: string;
  peerId: string;
  change: GrantChange;
  by: string;
}

/**
 * Grant changes across a cluster: only the node a peer is connected through can enforce its
 * grants (its messages, tracks and deliveries pass there), so any other node asks that one,
 * which also updates the peer's record on the bus for every node to see.
 */
export class RemoteGrants implements GrantForwarding {
  constructor(private readonly requests: NodeRequests) {}

  /** Serves other nodes' requests with `change`. */
  serve(change: LocalGrantChanger): void {
    this.requests.onRequest(SET_GRANTS, (_from, body) => {
      const { room, peerId, change: asked, by } = body as SetGrantsBody;
      if (typeof room !== 'string' || typeof peerId !== 'string' || typeof by !== 'string' || typeof asked !== 'object' || asked === null) {
        throw new SwitchboardError('MALFORMED', 'a setGrants request needs room, peerId, change and by');
      }
      return change(room, peerId, parseGrantChange(asked), by);
    });
  }

  async forward(node: string, room: string, peerId: string, change: GrantChange, by: string): Promise<Grants> {
    const body: SetGrantsBody = { room, peerId, change, by };
    return (await this.requests.request(node, SET_GRANTS, body)) as Grants;
  }
}
