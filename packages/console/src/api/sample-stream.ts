/** One room's data traffic on the node, counted since the room opened (`GET /api/rooms`'s `traffic`). */
export interface TrafficCounts {
  messagesIn: number;
  deliveries: number;
  rejected: Record<string, number>;
}

/** One second of the node's metrics, as the server's sampler sends it. */
export interface Sample {
  t: number;
  v: Record<string, number>;
  process: { rssBytes: number; cpuSeconds: number };
  /** The rooms whose traffic changed since the previous sample. */
  rooms?: Record<string, TrafficCounts>;
}

/** The samples the server kept before this viewer connected, in columns. */
export interface SampleHistory {
  t: number[];
  series: Record<string, (number | null)[]>;
  process: { rssBytes: number[]; cpuSeconds: number[] };
  /** Each sample's room changes; the first also holds the rooms' counts before it. */
  rooms: (Record<string, TrafficCounts> | null)[];
}

/** What a stream reports to its owner. */
export interface SampleStreamHandlers {
  hello(nodeId: string, history: SampleHistory): void;
  sample(sample: Sample): void;
  /** The stream is open (`live`), reconnecting after a drop, or refused for good (with the reason). */
  state(state: 'live' | 'reconnecting' | 'refused', reason?: string): void;
}

const RETRY_MS = 2000;

/**
 * Reads `GET /api/console/samples`'s Server-Sent Events. `fetch` rather than EventSource, so the
 * secret travels in the Authorization header and never in a URL or a server log. A dropped
 * stream is reopened every 2 s; a 401 stops it.
 */
export class SampleStream {
  private readonly abort = new AbortController();

  constructor(
    private readonly secret: string,
    private readonly handlers: SampleStreamHandlers,
  ) {
    void this.run();
  }

  close(): void {
    this.abort.abort();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const response = await fetch('/api/console/samples', {
          headers: { Authorization: `Bearer ${this.secret}` },
          signal: this.abort.signal,
        });
        if (response.status === 401 || response.status === 404) {
          const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
          this.handlers.state('refused', body?.error?.message ?? `HTTP ${response.status}`);
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        this.handlers.state('live');
        await this.read(response.body);
      } catch {
        if (this.abort.signal.aborted) return;
      }
      this.handlers.state('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        this.dispatch(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
      }
    }
  }

  private dispatch(block: string): void {
    let name = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) name = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (name === 'hello') {
      const hello = JSON.parse(data) as { nodeId: string; history: SampleHistory };
      this.handlers.hello(hello.nodeId, hello.history);
    } else if (name === 'sample') {
      this.handlers.sample(JSON.parse(data) as Sample);
    }
  }
}
