import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented API secret with the configured one in constant time. Both are hashed
 * first so that neither the comparison time nor an early length check reveals the secret's
 * length or prefix.
 */
export function apiSecretMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || presented.length === 0) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
