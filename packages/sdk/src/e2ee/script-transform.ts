import type { FrameEndpoint, FrameTransform, FrameTransformer } from './frame-transformer.js';
import { FRAME_RELAY_WORKER } from './frame-relay-worker.js';

// A frame's data on its way from the worker to the page, and the page's answer.
interface RelayedFrame {
  id: number;
  data: ArrayBuffer;
  type?: string;
}

type ScriptTransformClass = new (worker: Worker, options?: unknown, transfer?: Transferable[]) => object;
type WithTransform = { transform: object | null };

/**
 * The standard `RTCRtpScriptTransform` (Firefox, Safari): frames only reach a worker. The
 * worker (one per room, started on the first track) relays each frame's data to this thread
 * over a MessagePort of its own per sender or receiver, and this thread runs the cipher with
 * the application's key provider, as on Chromium.
 */
export class ScriptTransformer implements FrameTransformer {
  readonly transportSettings = {};
  private worker: { worker: Worker; url: string } | undefined;

  static get supported(): boolean {
    return typeof (globalThis as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform === 'function' && typeof Worker === 'function';
  }

  attach(endpoint: FrameEndpoint, transform: FrameTransform): void {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = async ({ data: frame }: MessageEvent<RelayedFrame>) => {
      // A frame the cipher cannot handle (no key, a failing WebCrypto) is dropped, never sent on.
      const data = await transform({ data: frame.data, ...(frame.type === undefined ? {} : { type: frame.type }) }).catch(() => undefined);
      port1.postMessage({ id: frame.id, data }, data === undefined ? [] : [data]);
    };
    const Transform = (globalThis as unknown as { RTCRtpScriptTransform: ScriptTransformClass }).RTCRtpScriptTransform;
    (endpoint as unknown as WithTransform).transform = new Transform(this.started(), { port: port2 }, [port2]);
  }

  close(): void {
    if (this.worker === undefined) return;
    this.worker.worker.terminate();
    URL.revokeObjectURL(this.worker.url);
    this.worker = undefined;
  }

  private started(): Worker {
    if (this.worker === undefined) {
      const url = URL.createObjectURL(new Blob([FRAME_RELAY_WORKER], { type: 'text/javascript' }));
      this.worker = { worker: new Worker(url, { name: 'switchboard-e2ee' }), url };
    }
    return this.worker.worker;
  }
}
