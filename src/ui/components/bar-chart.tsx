// A plain SVG column chart for the pyramid of per-layer learning rates: it redraws on every click in the layer
// tree, and with 50 layers recharts' text measuring took over 100 ms a click; this draws without measuring.
import { niceTicks, tickText, useWidth } from './line-chart';

export interface Bar {
  label: string;
  /** Full name for the tooltip. */
  title: string;
  value: number;
  muted?: boolean;
}

const MARGIN = { top: 10, right: 8, left: 56 };

export function ColumnChart(props: { bars: Bar[]; height?: number; summary: string; formatValue: (v: number) => string }) {
  const { bars } = props;
  const height = props.height ?? 220;
  const slanted = bars.length > 8;
  const bottom = slanted ? 64 : 24;
  const [ref, measured] = useWidth();
  const width = Math.max(240, measured);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - bottom;
  const max = Math.max(0, ...bars.map((b) => b.value));
  const { ticks, step } = niceTicks(0, max > 0 ? max : 1, 4);
  const top = ticks[ticks.length - 1];
  const slot = plotW / Math.max(1, bars.length);
  const barW = Math.max(2, Math.min(48, slot * 0.7));
  const sy = (v: number) => MARGIN.top + (1 - v / top) * plotH;
  // Label every bar when they fit, else every k-th.
  const every = Math.max(1, Math.ceil(bars.length / 28));
  return (
    <div ref={ref} className="column-chart-box">
      <svg className="column-chart" width={width} height={height} role="img" aria-label={props.summary}>
        <g className="lc-grid">
          {ticks.map((t) => (
            <line key={t} x1={MARGIN.left} x2={width - MARGIN.right} y1={sy(t)} y2={sy(t)} />
          ))}
        </g>
        <g className="lc-axis">
          <line x1={MARGIN.left} x2={width - MARGIN.right} y1={sy(0)} y2={sy(0)} />
          {ticks.map((t) => (
            <text key={t} x={MARGIN.left - 8} y={sy(t)} dy="0.32em" textAnchor="end">
              {tickText(t, step)}
            </text>
          ))}
          {bars.map((b, i) =>
            i % every === 0 ? (
              <text
                key={i}
                x={MARGIN.left + slot * (i + 0.5)}
                y={sy(0) + 14}
                textAnchor={slanted ? 'end' : 'middle'}
                transform={slanted ? `rotate(-40 ${MARGIN.left + slot * (i + 0.5)} ${sy(0) + 14})` : undefined}
              >
                {b.label}
              </text>
            ) : null,
          )}
        </g>
        {bars.map((b, i) => (
          <rect
            key={i}
            className={b.muted ? 'column is-muted' : 'column'}
            x={MARGIN.left + slot * (i + 0.5) - barW / 2}
            width={barW}
            y={sy(b.value)}
            height={Math.max(0, sy(0) - sy(b.value))}
            rx={Math.min(4, barW / 4)}
          >
            <title>{`${b.title}: ${props.formatValue(b.value)}`}</title>
          </rect>
        ))}
      </svg>
    </div>
  );
}
