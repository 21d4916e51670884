import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries a delivery's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'switchboard-signature';

/** How far a receiver may trust a delivery's timestamp by default (replays older than this are refused). */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The signature header value of `body` sent at `timestamp` (unix seconds): HMAC-SHA256 with the
 * webhook secret over `<timestamp>.<body>`, so a receiver can check both who sent it and when.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body)}`;
}

/**
 * Checks a delivery as a receiver should: the signature over the raw body, and a timestamp
 * within `toleranceSeconds` of now (so a captured delivery cannot be replayed later).
 */
export function verifyWebhook(
  secret: string,
  header: string | undefined,
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  if (!header) return false;
  const parts = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isInteger(timestamp) || !given || !/^[0-9a-f]{64}$/.test(given)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS)) return false;
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(mac(secret, timestamp, body), 'hex'));
}

function mac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}
