/** In which order a room tries the servers it was given. */
export type ServerOrder = 'inOrder' | 'random';

/**
 * The servers a room may use, and which one it uses now. A failed server hands over to the next
 * one, round the list, so a node's death is survived without a load balancer. `random` shuffles
 * the list once, so the clients of one page spread over the servers.
 */
export class ServerList {
  private readonly urls: readonly string[];
  private index = 0;

  constructor(urls: readonly string[], order: ServerOrder = 'inOrder', random: () => number = Math.random) {
    if (urls.length === 0) throw new TypeError('connect() needs at least one server URL');
    const list = [...urls];
    if (order === 'random') {
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [list[i], list[j]] = [list[j] as string, list[i] as string];
      }
    }
    this.urls = list;
  }

  /** The server to use now. */
  get current(): string {
    return this.urls[this.index] as string;
  }

  /** How many servers there are. */
  get size(): number {
    return this.urls.length;
  }

  /** Moves on to the next server, after the current one failed. */
  next(): void {
    this.index = (this.index + 1) % this.urls.length;
  }
}
