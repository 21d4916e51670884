/** One line of a chart. */
export interface Series {
  name: string;
  color: string;
  /** [x, y] points; a null y breaks the line. */
  points: [number, number | null][];
}

/** A line chart's title and axes. */
export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Bars instead of lines (one bar per point of the first series). */
  bars?: boolean;
}

const MARGIN = { left: 60, right: 16, top: 28, bottom: 40 };

/**
 * A self-contained SVG chart (lines, or bars) with axes, ticks and a legend: no script, no
 * library, so the report renders anywhere, offline.
 */
export function svgChart(series: readonly Series[], options: ChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 260;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.flatMap(([, y]) => (y === null ? [] : [y])));
  const xMax = Math.max(1, ...xs);
  const xMin = Math.min(0, ...xs);
  const yMax = niceCeiling(Math.max(1, ...ys));
  const x = (v: number): number => MARGIN.left + ((v - xMin) / (xMax - xMin || 1)) * plotW;
  const y = (v: number): number => MARGIN.top + plotH - (v / yMax) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escape(options.title)}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="18" font-size="14" font-weight="bold">${escape(options.title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const value = (yMax * i) / 4;
    parts.push(`<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(value) + 4}" font-size="11" text-anchor="end">${format(value)}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const value = xMin + ((xMax - xMin) * i) / 5;
    parts.push(`<text x="${x(value)}" y="${height - MARGIN.bottom + 16}" font-size="11" text-anchor="middle">${format(value)}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333"/>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 6}" font-size="11" text-anchor="middle">${escape(options.xLabel)}</text>`);
  parts.push(`<text x="12" y="${MARGIN.top + plotH / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${MARGIN.top + plotH / 2})">${escape(options.yLabel)}</text>`);
  if (options.bars) {
    const first = series[0];
    const barW = Math.max(1, plotW / Math.max(1, first?.points.length ?? 1) - 1);
    for (const [px, py] of first?.points ?? []) {
      if (py === null) continue;
      parts.push(`<rect x="${x(px) - barW / 2}" y="${y(py)}" width="${barW}" height="${MARGIN.top + plotH - y(py)}" fill="${first!.color}"/>`);
    }
  } else {
    for (const s of series) {
      const path = s.points
        .map(([px, py], i) => (py === null ? '' : `${i === 0 || s.points[i - 1]?.[1] === null ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`))
        .join('');
      parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    }
  }
  series.forEach((s, i) => {
    const lx = width - MARGIN.right - 150;
    const ly = MARGIN.top + 4 + i * 16;
    parts.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${s.color}"/>`);
    parts.push(`<text x="${lx + 14}" y="${ly + 9}" font-size="11">${escape(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The smallest 1, 2 or 5 × 10^k at or above `value`. */
function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function format(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e4) return `${Math.round(value / 1e3)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** Text for SVG and HTML. */
export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
