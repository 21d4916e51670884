import { css, html, LitElement, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?raw';
import { formatValue, type Unit } from './format.js';

/** One line of a chart. */
export interface ChartLine {
  label: string;
  color: string;
}

const HEIGHT = 170;

/**
 * `<sb-live-chart>` draws lines over time with uPlot. `data` is uPlot's columns: the times in
 * seconds, then one column per line of `lines`; each new `data` redraws in place.
 */
export class LiveChart extends LitElement {
  static override properties = {
    heading: { type: String },
    unit: { type: String },
    lines: { attribute: false },
    data: { attribute: false },
  };

  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host {
        display: block;
        min-width: 0;
        background: var(--panel);
        border: 1px solid var(--border);
        border-radius: 6px;
        padding: 8px 10px 4px;
      }
      h3 {
        margin: 0 0 4px;
        font-size: 13px;
        font-weight: 600;
      }
      .uplot {
        font-family: inherit;
      }
      .u-legend {
        font-size: 12px;
        text-align: left;
      }
    `,
  ];

  declare heading: string;
  declare unit: Unit;
  declare lines: ChartLine[];
  declare data: uPlot.AlignedData;
  private plot: uPlot | undefined;
  private shape = '';
  private readonly resize = new ResizeObserver(() => this.plot?.setSize({ width: this.plotWidth(), height: HEIGHT }));

  constructor() {
    super();
    this.heading = '';
    this.unit = 'count';
    this.lines = [];
    this.data = [[]];
  }

  override render() {
    return html`<h3>${this.heading}</h3>
      <div class="plot"></div>`;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const target = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (!target) return;
    // Views pass new arrays of lines on each render: the chart is rebuilt only when they differ.
    const shape = JSON.stringify([this.unit, this.lines]);
    if (!this.plot || shape !== this.shape) {
      this.shape = shape;
      this.plot?.destroy();
      this.plot = new uPlot(this.options(), this.data, target);
    } else if (changed.has('data')) {
      this.plot.setData(this.data);
    }
  }

  private options(): uPlot.Options {
    const unit = this.unit;
    const format = (value: number | null) => (value === null ? '–' : formatValue(value, unit));
    return {
      width: this.plotWidth(),
      height: HEIGHT,
      cursor: { drag: { x: false, y: false } },
      scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.15)' }, ticks: { show: false } },
        { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.15)' }, ticks: { show: false }, size: 56, values: (_u, ticks) => ticks.map((tick) => formatValue(tick, unit)) },
      ],
      series: [{}, ...this.lines.map((line) => ({ label: line.label, stroke: line.color, width: 1.5, value: (_u: uPlot, v: number | null) => format(v) }))],
    };
  }

  private plotWidth(): number {
    return Math.max(200, this.clientWidth - 20);
  }
}

customElements.define('sb-live-chart', LiveChart);
