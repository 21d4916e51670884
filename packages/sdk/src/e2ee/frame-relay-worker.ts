/**
 * The worker `RTCRtpScriptTransform` runs frames in: it hands each frame's data to the page
 * over the transform's MessagePort and writes the frame with the data the page sends back
 * (or drops it when the page sends none), one frame at a time, so frames keep their order.
 * The cipher stays on the page, beside the key provider: no key ever enters the worker.
 *
 * Plain JavaScript in a string, started from a Blob URL: a worker file beside the bundle would
 * need every application's bundler to emit and serve it (see docs/decisions.md).
 */
export const FRAME_RELAY_WORKER = `
onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer;
  const port = options.port;
  const waiting = new Map();
  let next = 0;
  port.onmessage = ({ data }) => {
    const resolve = waiting.get(data.id);
    waiting.delete(data.id);
    if (resolve) resolve(data.data);
  };
  const relay = new TransformStream({
    async transform(frame, controller) {
      const id = next++;
      const data = await new Promise((resolve) => {
        waiting.set(id, resolve);
        port.postMessage({ id, data: frame.data, type: frame.type });
      });
      if (data === undefined) return;
      frame.data = data;
      controller.enqueue(frame);
    },
  });
  readable.pipeThrough(relay).pipeTo(writable).catch(() => {});
};
`;
