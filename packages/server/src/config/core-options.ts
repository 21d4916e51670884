import { availableParallelism } from 'node:os';
import type { LogLevel } from '../log.js';
import { configError, parseBoolean, parseInteger, parseSecret, type AnyOptionSpec } from './option-spec.js';
import { parseLanIp } from './rtc-addresses.js';
import type { WorkerPlacement } from './server-config.js';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const PLACEMENTS: readonly WorkerPlacement[] = ['least-loaded', 'spread'];

/** The listener, secrets, WebRTC ports, data limits and how peers are spread over workers. */
export const CORE_OPTIONS: readonly AnyOptionSpec[] = [
  {
    key: 'host',
    flag: '--host',
    env: 'SWITCHBOARD_HOST',
    help: 'address to listen on',
    parse: (raw) => raw,
    fallback: () => '127.0.0.1',
  },
  {
    key: 'port',
    flag: '--port',
    env: 'SWITCHBOARD_PORT',
    help: 'HTTP/WebSocket port (0 = any free port)',
    parse: (raw) => parseInteger(raw, '--port', 0, 65535),
    fallback: () => 8080,
  },
  {
    key: 'workers',
    flag: '--workers',
    env: 'SWITCHBOARD_WORKERS',
    help: 'mediasoup worker processes (default: one per core)',
    parse: (raw) => parseInteger(raw, '--workers', 1, 256),
    fallback: () => availableParallelism(),
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'SWITCHBOARD_LOG_LEVEL',
    help: LOG_LEVELS.join(' | '),
    parse: (raw) => {
      if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
        throw configError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
      }
      return raw as LogLevel;
    },
    fallback: () => 'info',
  },
  {
    key: 'staticDir',
    flag: '--static-dir',
    env: 'SWITCHBOARD_STATIC_DIR',
    help: 'directory of static files served at / (the built demo)',
    parse: (raw) => raw,
    fallback: () => undefined,
  },
  {
    key: 'console',
    flag: '--console',
    env: 'SWITCHBOARD_CONSOLE',
    help: 'serve the operator console at /console/, behind the API secret (true | false)',
    parse: (raw) => parseBoolean(raw, '--console'),
    fallback: () => false,
    boolean: true,
  },
  {
    key: 'consoleDir',
    flag: '--console-dir',
    env: 'SWITCHBOARD_CONSOLE_DIR',
    help: 'directory of the built console (default: the installed @switchboard/console package)',
    parse: (raw) => raw,
    fallback: () => undefined,
  },

  {
    key: 'dev',
    flag: '--dev',
    env: 'SWITCHBOARD_DEV',
    help: 'development mode: default secrets and /dev/token (true | false)',
    parse: (raw) => parseBoolean(raw, '--dev'),
    fallback: () => false,
    boolean: true,
  },
  {
    key: 'tokenSecret',
    flag: '--token-secret',
    env: 'SWITCHBOARD_TOKEN_SECRET',
    help: 'HS256 key for access tokens (required unless --dev)',
    parse: (raw) => parseSecret(raw, '--token-secret'),
    fallback: () => '',
  },
  {
    key: 'apiSecret',
    flag: '--api-secret',
    env: 'SWITCHBOARD_API_SECRET',
    help: 'secret for the HTTP API (required unless --dev)',
    parse: (raw) => parseSecret(raw, '--api-secret'),
    fallback: () => '',
  },
  {
    key: 'rtcListenIp',
    flag: '--rtc-ip',
    env: 'SWITCHBOARD_RTC_IP',
    help: 'local IP for WebRTC (UDP/TCP)',
    parse: (raw) => raw,
    fallback: () => '127.0.0.1',
  },
  {
    key: 'rtcLanIp',
    flag: '--rtc-lan-ip',
    env: 'SWITCHBOARD_RTC_LAN_IP',
    help: "second local IP for WebRTC, for browsers that ignore loopback candidates (Firefox): auto (this machine's LAN IPv4 when --rtc-ip is loopback; the default with --dev) | none (the default otherwise) | an IP",
    parse: parseLanIp,
    fallback: () => undefined,
  },
  {
    key: 'rtcAnnouncedAddress',
    flag: '--rtc-announced-address',
    env: 'SWITCHBOARD_RTC_ANNOUNCED_ADDRESS',
    help: 'public IP or host name put in ICE candidates',
    parse: (raw) => raw,
    fallback: () => undefined,
  },
  {
    key: 'rtcPort',
    flag: '--rtc-port',
    env: 'SWITCHBOARD_RTC_PORT',
    help: 'first WebRTC port; worker i uses rtc-port + i (0 = any free ports)',
    parse: (raw) => parseInteger(raw, '--rtc-port', 0, 65535),
    fallback: () => 40000,
  },
  {
    key: 'rtcSocketBufferBytes',
    flag: '--rtc-socket-buffer',
    env: 'SWITCHBOARD_RTC_SOCKET_BUFFER',
    help: 'receive and send buffer of each worker UDP socket, bytes (capped by net.core.rmem_max/wmem_max; 0 = kernel default)',
    parse: (raw) => parseInteger(raw, '--rtc-socket-buffer', 0, 1 << 30),
    fallback: () => 4 * 1024 * 1024,
  },
  {
    key: 'maxMessageSize',
    flag: '--max-message-size',
    env: 'SWITCHBOARD_MAX_MESSAGE_SIZE',
    help: 'largest data message in bytes',
    parse: (raw) => parseInteger(raw, '--max-message-size', 256, 262144),
    fallback: () => 65536,
  },
  {
    key: 'messagesPerSecond',
    flag: '--messages-per-second',
    env: 'SWITCHBOARD_MESSAGES_PER_SECOND',
    help: 'sustained data messages per second per peer',
    parse: (raw) => parseInteger(raw, '--messages-per-second', 1, 10_000_000),
    fallback: () => 200,
  },
  {
    key: 'messageBurst',
    flag: '--message-burst',
    env: 'SWITCHBOARD_MESSAGE_BURST',
    help: 'data messages a peer may send in a burst',
    parse: (raw) => parseInteger(raw, '--message-burst', 1, 10_000_000),
    fallback: () => 400,
  },
  {
    key: 'reconnectGraceSeconds',
    flag: '--reconnect-grace',
    env: 'SWITCHBOARD_RECONNECT_GRACE',
    help: 'seconds a dropped peer may take to resume',
    parse: (raw) => parseInteger(raw, '--reconnect-grace', 0, 3600),
    fallback: () => 30,
  },
  {
    key: 'replayBufferBytes',
    flag: '--replay-buffer-bytes',
    env: 'SWITCHBOARD_REPLAY_BUFFER_BYTES',
    help: 'bytes of recent reliable messages a room keeps for resuming peers',
    parse: (raw) => parseInteger(raw, '--replay-buffer-bytes', 0, 1 << 30),
    fallback: () => 8 * 1024 * 1024,
  },
  {
    key: 'sctpSendBufferBytes',
    flag: '--sctp-send-buffer',
    env: 'SWITCHBOARD_SCTP_SEND_BUFFER',
    help: 'SCTP send buffer per receiving peer, bytes (a reliable message that overflows it makes the peer resume)',
    parse: (raw) => parseInteger(raw, '--sctp-send-buffer', 65536, 1 << 28),
    fallback: () => 2 * 1024 * 1024,
  },
  {
    key: 'dataBatchWindowMs',
    flag: '--data-batch-window',
    env: 'SWITCHBOARD_DATA_BATCH_WINDOW',
    help: 'ms a data delivery may wait to share one SCTP message with others to the same receivers (0 = only those of the same event-loop turn)',
    parse: (raw) => parseInteger(raw, '--data-batch-window', 0, 1000),
    fallback: () => 0,
  },
  {
    key: 'dataBatchMaxBytes',
    flag: '--data-batch-max-bytes',
    env: 'SWITCHBOARD_DATA_BATCH_MAX_BYTES',
    help: 'largest batch of data deliveries in one SCTP message, bytes (a larger message goes alone)',
    parse: (raw) => parseInteger(raw, '--data-batch-max-bytes', 256, 262144),
    fallback: () => 16384,
  },
  {
    key: 'maxIncomingBitrate',
    flag: '--max-incoming-bitrate',
    env: 'SWITCHBOARD_MAX_INCOMING_BITRATE',
    help: 'most media one peer may send, bits/s (0 = no limit)',
    parse: (raw) => parseInteger(raw, '--max-incoming-bitrate', 0, 1_000_000_000),
    fallback: () => 5_000_000,
  },
  {
    key: 'initialOutgoingBitrate',
    flag: '--initial-outgoing-bitrate',
    env: 'SWITCHBOARD_INITIAL_OUTGOING_BITRATE',
    help: "bandwidth estimate a peer's receive transport starts from, bits/s (higher: top video layer sooner, worse first seconds on poor links)",
    parse: (raw) => parseInteger(raw, '--initial-outgoing-bitrate', 100_000, 100_000_000),
    fallback: () => 2_000_000,
  },
  {
    key: 'keyFrameRequestDelayMs',
    flag: '--key-frame-request-delay',
    env: 'SWITCHBOARD_KEY_FRAME_REQUEST_DELAY',
    help: 'ms during which the key frame requests of new viewers of a video track are merged into one (0 = none)',
    parse: (raw) => parseInteger(raw, '--key-frame-request-delay', 0, 5000),
    fallback: () => 350,
  },
  {
    key: 'videoStartHoldMs',
    flag: '--video-start-hold',
    env: 'SWITCHBOARD_VIDEO_START_HOLD',
    help: "most ms a new viewer's video waits for others subscribing to the same track at the same time, to start them with one key frame (0 = never)",
    parse: (raw) => parseInteger(raw, '--video-start-hold', 0, 1000),
    fallback: () => 0,
  },
  // Scale-out over the workers of this node.
  {
    key: 'workerPlacement',
    flag: '--worker-placement',
    env: 'SWITCHBOARD_WORKER_PLACEMENT',
    help: `worker for a new peer: ${PLACEMENTS.join(' | ')}`,
    parse: (raw) => {
      if (!(PLACEMENTS as readonly string[]).includes(raw)) {
        throw configError(`--worker-placement must be one of ${PLACEMENTS.join(', ')}, got "${raw}"`);
      }
      return raw as WorkerPlacement;
    },
    fallback: () => 'least-loaded',
  },
  {
    key: 'workerWaitSeconds',
    flag: '--worker-wait',
    env: 'SWITCHBOARD_WORKER_WAIT',
    help: 'seconds a join waits for a live mediasoup worker before failing with UNAVAILABLE',
    parse: (raw) => parseInteger(raw, '--worker-wait', 0, 300),
    fallback: () => 10,
  },
];
