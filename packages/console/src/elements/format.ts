/** What a number measures, for its formatting. */
export type Unit = 'count' | 'rate' | 'percent' | 'bytes' | 'bps';

/** A value as the console shows it: short, with its unit. */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'percent':
      return `${value.toFixed(value < 10 ? 1 : 0)} %`;
    case 'bytes':
      return value >= 1024 ** 3 ? `${(value / 1024 ** 3).toFixed(1)} GiB` : `${(value / 1024 ** 2).toFixed(0)} MiB`;
    case 'bps':
      return value >= 1e6 ? `${(value / 1e6).toFixed(1)} Mb/s` : value >= 1e3 ? `${(value / 1e3).toFixed(0)} kb/s` : `${Math.round(value)} b/s`;
    case 'rate':
      return value >= 1000 ? `${(value / 1000).toFixed(1)}k/s` : `${value.toFixed(value < 10 && value % 1 !== 0 ? 1 : 0)}/s`;
    case 'count':
      return value >= 1e6 ? `${(value / 1e6).toFixed(1)}M` : value >= 1e4 ? `${(value / 1e3).toFixed(0)}k` : String(Math.round(value));
  }
}

/** An exact count, grouped by thousands (what the console shows beside `/metrics`' totals). */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** A past time as "12:03:04 (5 min ago)". */
export function formatSince(ms: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  const ago = seconds < 60 ? `${seconds} s` : seconds < 3600 ? `${Math.floor(seconds / 60)} min` : `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${new Date(ms).toLocaleTimeString('en-GB')} (${ago} ago)`;
}

/** A duration in seconds as "2 h 5 min" or "40 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}
