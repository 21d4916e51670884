// Child process entry of the viewer host (viewers.ts): SDK viewers on wrtc, auto-subscribed to
// the publisher's camera, sampled over IPC. No video sink: libwebrtc decodes every received frame
// anyway, and a sink would copy each decoded frame into JavaScript, a cost no application has
// that renders natively.
import { serveCalls } from '../support/child-host.js';
import { leaveAll } from '../support/sdk-peer.js';
import { joinViewer, reception, type Viewer } from './viewer.js';
import type { ViewerCalls, ViewerSample } from './viewers.js';

const viewers: Array<{ viewer: Viewer; reconnects: number; disconnected: boolean }> = [];

serveCalls<ViewerCalls>(
  {
    async join({ wsUrl, tokens }) {
      for (const token of tokens) {
        const entry = { viewer: await joinViewer(wsUrl, token), reconnects: 0, disconnected: false };
        entry.viewer.room.on('connectionStateChanged', ({ state }) => state === 'reconnecting' && entry.reconnects++);
        entry.viewer.room.on('disconnected', () => (entry.disconnected = true));
        viewers.push(entry);
      }
      return {};
    },
    async sample() {
      const samples: ViewerSample[] = [];
      for (const { viewer, reconnects, disconnected } of viewers) samples.push({ ...(await reception(viewer)), reconnects, disconnected });
      return samples;
    },
  },
  () => leaveAll(viewers.map(({ viewer }) => viewer.room)),
);
