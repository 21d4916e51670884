import { hostname } from 'node:os';
import { configError, parseInteger, parseList, type AnyOptionSpec } from './option-spec.js';

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
    key: 'redisSentinels',
    flag: '--redis-sentinels',
    env: 'SWITCHBOARD_REDIS_SENTINELS',
    help: 'cluster mode through Redis Sentinel: host:port,… of the sentinels that name the primary (instead of --redis-url)',
    parse: (raw) => {
      const sentinels = parseList(raw).map((item) => {
        const match = /^(.+):(\d{1,5})$/.exec(item);
        const port = Number(match?.[2]);
        if (!match || port < 1 || port > 65535) throw configError(`--redis-sentinels must be host:port,…, got "${item}"`);
        return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
      });
      if (sentinels.length === 0) throw configError('--redis-sentinels needs at least one host:port');
      return sentinels;
    },
    fallback: () => undefined,
  },
  {
    key: 'redisMasterName',
    flag: '--redis-master-name',
    env: 'SWITCHBOARD_REDIS_MASTER_NAME',
    help: 'the name the sentinels know the primary by',
    parse: (raw) => {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(raw)) throw configError(`--redis-master-name must be 1-64 letters, digits, ".", "_" or "-", got "${raw}"`);
      return raw;
    },
    fallback: () => 'mymaster',
  },
  {
    key: 'redisTimeoutMs',
    flag: '--redis-timeout-ms',
    env: 'SWITCHBOARD_REDIS_TIMEOUT_MS',
    help: 'a Redis command unanswered this long fails with UNAVAILABLE and marks Redis unreachable, ms',
    parse: (raw) => parseInteger(raw, '--redis-timeout-ms', 100, 60_000),
    fallback: () => 1000,
  },
  {
    key: 'redisWaitReplicas',
    flag: '--redis-wait-replicas',
    env: 'SWITCHBOARD_REDIS_WAIT_REPLICAS',
    help: 'replicas that must hold a reliable message before it is acknowledged (Redis WAIT; 0: none)',
    parse: (raw) => parseInteger(raw, '--redis-wait-replicas', 0, 16),
    fallback: () => 0,
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
