/** Why a connection was refused, as counted in `switchboard_connections_refused_total{reason}`. */
export type ConnectionRefusal = 'per_ip' | 'total';

/**
 * Counts open signaling connections, in all and per client IP address, and refuses those
 * above the caps: one client must not exhaust the file descriptors every other client needs.
 */
export class ConnectionLimits {
  private readonly perIp = new Map<string, number>();
  private total = 0;

  /** `maxPerIp` 0 means no per-address cap. */
  constructor(private readonly limits: { maxTotal: number; maxPerIp: number }) {}

  /** Counts a new connection from `ip`, or says why it is refused (then nothing is counted). */
  admit(ip: string): ConnectionRefusal | undefined {
    if (this.total >= this.limits.maxTotal) return 'total';
    const fromIp = this.perIp.get(ip) ?? 0;
    if (this.limits.maxPerIp > 0 && fromIp >= this.limits.maxPerIp) return 'per_ip';
    this.perIp.set(ip, fromIp + 1);
    this.total += 1;
    return undefined;
  }

  /** An admitted connection from `ip` closed. */
  release(ip: string): void {
    const fromIp = this.perIp.get(ip) ?? 0;
    if (fromIp <= 1) this.perIp.delete(ip);
    else this.perIp.set(ip, fromIp - 1);
    this.total -= 1;
  }
}
