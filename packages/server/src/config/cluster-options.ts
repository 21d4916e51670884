import { hostname } from 'node:os';
import { configError, parseInteger, type AnyOptionSpec } from './option-spec.js';

/** Cluster mode (docs/scaling.md): on with a Redis URL; without one nothing needs Redis. */
export const CLUSTER_OPTIONS: readonly AnyOptionSpec[] = [
  {
    key: 'redisUrl',
    flag: '--redis-url',
    env: 'SWITCHBOARD_REDIS_URL',
    help: 'cluster mode: redis://host:port of the Redis all nodes share (default: single node, no Redis)',
    parse: (raw) => {
      if (!/^rediss?:\/\/[^/]+/.test(raw)) throw configError(`--redis-url must look like redis://host:port, got "${raw}"`);
      return raw;
    },
    fallback: () => undefined,
  },
  {
    key: 'nodeId',
    flag: '--node-id',
    env: 'SWITCHBOARD_NODE_ID',
    help: 'this node\'s ID in the cluster (default: host name and process ID)',
    parse: (raw) => {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(raw)) throw configError(`--node-id must be 1-64 letters, digits, ".", "_" or "-", got "${raw}"`);
      return raw;
    },
    fallback: () => `${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 48)}-${process.pid}`,
  },
  {
    key: 'clusterHeartbeatMs',
    flag: '--cluster-heartbeat-ms',
    env: 'SWITCHBOARD_CLUSTER_HEARTBEAT_MS',
    help: 'how often a node tells the cluster it is alive, ms',
    parse: (raw) => parseInteger(raw, '--cluster-heartbeat-ms', 50, 60_000),
    fallback: () => 1000,
  },
  {
    key: 'clusterNodeTtlMs',
    flag: '--cluster-node-ttl-ms',
    env: 'SWITCHBOARD_CLUSTER_NODE_TTL_MS',
    help: 'a node silent this long is dead and its peers leave, ms (at least 2 heartbeats)',
    parse: (raw) => parseInteger(raw, '--cluster-node-ttl-ms', 100, 600_000),
    fallback: () => 5000,
  },
  {
    key: 'pipeListenIp',
    flag: '--pipe-ip',
    env: 'SWITCHBOARD_PIPE_IP',
    help: 'cluster mode: local IP of the UDP pipes that carry media between nodes (default: the --rtc-ip)',
    parse: (raw) => raw,
    fallback: () => undefined,
  },
  {
    key: 'pipeAnnouncedAddress',
    flag: '--pipe-announced-address',
    env: 'SWITCHBOARD_PIPE_ANNOUNCED_ADDRESS',
    help: 'cluster mode: address other nodes send piped media to, if not the --pipe-ip (NAT, containers)',
    parse: (raw) => raw,
    fallback: () => undefined,
  },
];
