import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { SIGNALING_PATH } from '@switchboard/sdk/protocol';
import { ConnectionLimits, type ConnectionRefusal } from '../limits/connection-limits.js';
import type { Counter } from '../metrics/metrics.js';
import { CLOSE_CODES, SignalingSession, type SessionContext } from './session.js';

interface SocketData {
  session?: SignalingSession;
  /** The client's address, set once the connection was admitted. */
  ip?: string;
}

/** What the signaling server needs besides what each session needs. */
export interface SignalingContext extends SessionContext {
  /** Open sockets in all, and per client IP (0 = no per-address cap). */
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  /** `switchboard_connections_refused_total{reason}`. */
  readonly refusedConnections: Counter;
}

/** Largest signaling frame accepted; a join with token and capabilities is a few KiB. */
export const MAX_FRAME_BYTES = 64 * 1024;
// uWS itself cuts off larger frames, without a close frame: above MAX_FRAME_BYTES but below
// this the client gets close code 1009 and a reason instead.
const TRANSPORT_FRAME_BYTES = 1024 * 1024;

const REFUSALS: Record<ConnectionRefusal, { code: number; reason: string }> = {
  total: { code: CLOSE_CODES.serverFull, reason: 'server full: too many connections' },
  per_ip: { code: CLOSE_CODES.tooManyFromAddress, reason: 'too many connections from this address' },
};

/**
 * Serves the signaling WebSocket at {@link SIGNALING_PATH}: one {@link SignalingSession} per
 * connection. Connections above the caps are closed at once with a typed code; slow clients
 * are cut off at a backpressure limit rather than buffered without end.
 */
export class SignalingServer {
  private readonly sockets = new Set<WebSocket<SocketData>>();
  private readonly limits: ConnectionLimits;

  constructor(app: TemplatedApp, context: SignalingContext) {
    this.limits = new ConnectionLimits({ maxTotal: context.maxConnections, maxPerIp: context.maxConnectionsPerIp });
    app.ws<SocketData>(SIGNALING_PATH, {
      maxPayloadLength: TRANSPORT_FRAME_BYTES,
      idleTimeout: 30,
      sendPingsAutomatically: true,
      maxBackpressure: 1024 * 1024,
      closeOnBackpressureLimit: true,
      open: (ws) => {
        const ip = Buffer.from(ws.getRemoteAddressAsText()).toString();
        const refusal = this.limits.admit(ip);
        if (refusal !== undefined) {
          context.refusedConnections.inc({ reason: refusal });
          context.logger.debug('refused a signaling connection', { ip, reason: refusal });
          ws.end(REFUSALS[refusal].code, REFUSALS[refusal].reason);
          return;
        }
        const data = ws.getUserData();
        data.ip = ip;
        this.sockets.add(ws);
        data.session = new SignalingSession(
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
        if (message.byteLength > MAX_FRAME_BYTES) {
          ws.end(CLOSE_CODES.frameTooLarge, `frame larger than ${MAX_FRAME_BYTES} bytes`);
          return;
        }
        // uWS reuses `message` after this callback returns, and decoded binary fields would
        // point into it: hand the session its own copy.
        if (isBinary) session.receive(new Uint8Array(message.slice(0)));
        else session.receiveText();
      },
      close: (ws) => {
        const data = ws.getUserData();
        if (data.ip === undefined) return;
        this.limits.release(data.ip);
        this.sockets.delete(ws);
        data.session?.closed();
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
