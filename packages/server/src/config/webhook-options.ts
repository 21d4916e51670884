import { configError, parseInteger, parseList, parseSecret, type AnyOptionSpec } from './option-spec.js';

/** Webhooks: room events POSTed, signed, to the operator's backend (docs/http-api.md). */
export const WEBHOOK_OPTIONS: readonly AnyOptionSpec[] = [
  {
    key: 'webhookUrls',
    flag: '--webhook-urls',
    env: 'SWITCHBOARD_WEBHOOK_URLS',
    help: 'comma-separated http(s) URLs that receive room events as signed JSON POSTs',
    parse: (raw) => parseList(raw).map(webhookUrl),
    fallback: () => [],
  },
  {
    key: 'webhookSecret',
    flag: '--webhook-secret',
    env: 'SWITCHBOARD_WEBHOOK_SECRET',
    help: 'HMAC-SHA256 key of the Switchboard-Signature header (at least 16 characters)',
    parse: (raw) => parseSecret(raw, '--webhook-secret'),
    fallback: () => undefined,
  },
  {
    key: 'webhookMessageTypes',
    flag: '--webhook-message-types',
    env: 'SWITCHBOARD_WEBHOOK_MESSAGE_TYPES',
    help: 'comma-separated application message types also reported as "message" events (moderation, archiving)',
    parse: (raw) => parseList(raw),
    fallback: () => [],
  },
  {
    key: 'webhookQueueLimit',
    flag: '--webhook-queue-limit',
    env: 'SWITCHBOARD_WEBHOOK_QUEUE_LIMIT',
    help: 'events waiting per webhook URL; past it the oldest is dropped',
    parse: (raw) => parseInteger(raw, '--webhook-queue-limit', 1, 1_000_000),
    fallback: () => 10_000,
  },
  {
    key: 'webhookMaxAttempts',
    flag: '--webhook-max-attempts',
    env: 'SWITCHBOARD_WEBHOOK_MAX_ATTEMPTS',
    help: 'attempts per webhook delivery before it is dropped',
    parse: (raw) => parseInteger(raw, '--webhook-max-attempts', 1, 100),
    fallback: () => 6,
  },
  {
    key: 'webhookRetryDelayMs',
    flag: '--webhook-retry-delay-ms',
    env: 'SWITCHBOARD_WEBHOOK_RETRY_DELAY_MS',
    help: 'delay before the first webhook retry, doubled for each later one, ms',
    parse: (raw) => parseInteger(raw, '--webhook-retry-delay-ms', 10, 600_000),
    fallback: () => 1000,
  },
  {
    key: 'webhookTimeoutMs',
    flag: '--webhook-timeout-ms',
    env: 'SWITCHBOARD_WEBHOOK_TIMEOUT_MS',
    help: 'how long one webhook POST may take, ms',
    parse: (raw) => parseInteger(raw, '--webhook-timeout-ms', 100, 120_000),
    fallback: () => 5000,
  },
];

function webhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError(`--webhook-urls: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw configError(`--webhook-urls: "${raw}" must be http:// or https://`);
  return url.toString();
}
