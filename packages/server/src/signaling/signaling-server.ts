import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { SIGNALING_PATH } from '@switchboard/sdk/protocol';
import { CLOSE_CODES, SignalingSession, type SessionContext } from './session.js';

interface SocketData {
  session?: SignalingSession;
}

/** Largest signaling frame accepted; a join with token and capabilities is a few KiB. */
const MAX_FRAME_BYTES = 64 * 1024;

/**
 * Serves the signaling WebSocket at {@link SIGNALING_PATH}: one {@link SignalingSession} per
 * connection. Slow clients are cut off at a backpressure limit rather than buffered without end.
 */
export class SignalingServer {
  private readonly sockets = new Set<WebSocket<SocketData>>();

  constructor(app: TemplatedApp, context: SessionContext) {
    app.ws<SocketData>(SIGNALING_PATH, {
      maxPayloadLength: MAX_FRAME_BYTES,
      idleTimeout: 30,
      sendPingsAutomatically: true,
      maxBackpressure: 1024 * 1024,
      closeOnBackpressureLimit: true,
      open: (ws) => {
        this.sockets.add(ws);
        ws.getUserData().session = new SignalingSession(
          {
            send: (frame) => {
              ws.send(frame, true);
            },
            close: (code, reason) => ws.end(code, reason),
          },
          context,
        );
      },
      message: (ws, message, isBinary) => {
        const session = ws.getUserData().session;
        if (!session) return;
        // uWS reuses `message` after this callback returns, and decoded binary fields would
        // point into it: hand the session its own copy.
        if (isBinary) session.receive(new Uint8Array(message.slice(0)));
        else session.receiveText();
      },
      close: (ws) => {
        this.sockets.delete(ws);
        ws.getUserData().session?.closed();
      },
    });
  }

  /** Open signaling connections. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Closes every connection (after the rooms told their peers why). */
  closeAll(): void {
    for (const ws of [...this.sockets]) ws.end(CLOSE_CODES.normal, 'server shutting down');
  }
}
