// The studio's line chart (live training charts, the schedule preview, History's comparison). recharts, used before,
// re-measured text and re-ran its internal store on every update: 100–600 ms per update of four charts and up to
// 900 ms to open a panel on these machines (over the 50 ms task budget); this one draws a path per series with no
// measuring, so an update costs a few milliseconds. Theme variables, nice ticks, reference lines and areas, a
// legend and a tooltip.
import { useLayoutEffect, useMemo, useRef, useState, type PointerEvent } from 'react';

export interface ChartSeries {
  name: string;
  color: string;
  xs: readonly number[];
  ys: readonly (number | null)[];
  /** Draw a dot at every point (sparse series such as evaluations). */
  dots?: boolean;
  dashed?: boolean;
  /** Drawn faint behind the others (the raw loss under its smoothed line); left out of the legend and tooltip. */
  faint?: boolean;
}

export interface ChartMarks {
  lines?: { x?: number; y?: number; label: string; color: string }[];
  areas?: { x1: number; x2: number; label: string; color: string }[];
}

const MARGIN = { top: 12, right: 16, bottom: 26, left: 56 };

/** About `count` round tick values covering [min, max] (Heckbert's nice numbers). */
export function niceTicks(min: number, max: number, count = 5): { ticks: number[]; step: number } {
  if (!(Number.isFinite(min) && Number.isFinite(max))) return { ticks: [0, 1], step: 1 };
  // A range below float resolution (a loss flat at ln 2 that differs in its last bits) is a flat line: stepping
  // through it would add steps smaller than an ulp to the first tick, forever.
  if (max - min <= Math.max(Math.abs(min), Math.abs(max)) * 1e-9) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = mag * (f >= 7.5 ? 10 : f >= 3.5 ? 5 : f >= 1.5 ? 2 : 1);
  const first = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9 || ticks.length < 2; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < max - step * 1e-9) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return { ticks, step };
}

/** Tick text with as many decimals as the step needs; very small or large steps in exponent form. */
export function tickText(value: number, step: number): string {
  if (value === 0) return '0';
  if (step < 1e-3 || Math.abs(value) >= 1e6) {
    const [m, e] = value.toExponential(Math.max(0, Math.min(3, -Math.floor(Math.log10(step)) + Math.floor(Math.log10(Math.abs(value)))))).split('e');
    return `${m.replace(/\.?0+$/, '')}e${Number(e)}`;
  }
  return value.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
}

/** The element's width in CSS pixels, followed with a ResizeObserver (charts draw at their real size). */
export function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(560);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    // The observer reports the first size too, after layout: no second render inside the task that mounted the chart.
    const observer = new ResizeObserver((entries) => setWidth(Math.round(entries[0].contentRect.width) || 560));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** Index of the x nearest to target in an ascending array. */
function nearest(xs: readonly number[], target: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < target) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[lo] - target) <= Math.abs(xs[hi] - target) ? lo : hi;
}

export function LineChart(props: {
  series: ChartSeries[];
  xDomain: [number, number];
  /** Fixed y range; by default from the data, with nice ticks. */
  yDomain?: [number, number];
  height?: number;
  marks?: ChartMarks;
  formatY?: (v: number) => string;
  /** A sentence for screen readers (the figure names the chart; this says what it shows now). */
  summary: string;
  testId?: string;
}) {
  const { series, xDomain, marks } = props;
  const height = props.height ?? 240;
  const [ref, width] = useWidth();
  const [hover, setHover] = useState<number | null>(null);
  const plotW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const plotH = height - MARGIN.top - MARGIN.bottom;

  const y = useMemo(() => {
    const fixed = props.yDomain;
    if (fixed) {
      const { ticks, step } = niceTicks(fixed[0], fixed[1]);
      return { min: fixed[0], max: fixed[1], ticks: ticks.filter((t) => t >= fixed[0] - 1e-12 && t <= fixed[1] + 1e-12), step };
    }
    let min = Infinity;
    let max = -Infinity;
    const values = [...series.flatMap((s) => s.ys), ...(marks?.lines ?? []).map((l) => l.y ?? null)];
    for (const v of values) {
      if (v === null || !Number.isFinite(v)) continue;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (min === Infinity) return { min: 0, max: 1, ticks: [0, 0.5, 1], step: 0.5 };
    const { ticks, step } = niceTicks(min, max, 4);
    return { min: ticks[0], max: ticks[ticks.length - 1], ticks, step };
  }, [series, marks, props.yDomain]);
  const x = useMemo(() => niceTicks(xDomain[0], xDomain[1], Math.max(2, Math.floor(plotW / 90))), [xDomain, plotW]);

  const sx = (v: number) => MARGIN.left + ((v - xDomain[0]) / Math.max(1e-12, xDomain[1] - xDomain[0])) * plotW;
  const sy = (v: number) => MARGIN.top + (1 - (v - y.min) / Math.max(1e-12, y.max - y.min)) * plotH;
  const fmtY = props.formatY ?? ((v: number) => tickText(v, y.step));

  const paths = series.map((s) => {
    let d = '';
    let pen = false;
    for (let i = 0; i < s.xs.length; i++) {
      const v = s.ys[i];
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(s.xs[i]).toFixed(1)} ${sy(v).toFixed(1)}`;
      pen = true;
    }
    return d;
  });

  const longest = series.reduce((a, s) => (s.xs.length > a.xs.length ? s : a), series[0] ?? { xs: [] as number[] });
  function onMove(e: PointerEvent<SVGRectElement>) {
    if (longest.xs.length === 0) return;
    const box = e.currentTarget.getBoundingClientRect();
    const value = xDomain[0] + ((e.clientX - box.left) / box.width) * (xDomain[1] - xDomain[0]);
    setHover(longest.xs[nearest(longest.xs, value)]);
  }
  const tooltip =
    hover === null
      ? null
      : series
          .map((s) => {
            if (s.xs.length === 0 || s.faint) return null;
            const i = nearest(s.xs, hover);
            return Math.abs(s.xs[i] - hover) <= (xDomain[1] - xDomain[0]) / 50 + 0.5 && s.ys[i] !== null ? { name: s.name, color: s.color, value: s.ys[i] as number } : null;
          })
          .filter((t) => t !== null);

  return (
    <div className="line-chart" ref={ref}>
      <svg width={width} height={height} role="img" aria-label={props.summary} data-testid={props.testId}>
        <g className="lc-grid">
          {y.ticks.map((t) => (
            <line key={`y${t}`} x1={MARGIN.left} x2={MARGIN.left + plotW} y1={sy(t)} y2={sy(t)} />
          ))}
          {x.ticks
            .filter((t) => t >= xDomain[0] && t <= xDomain[1])
            .map((t) => (
              <line key={`x${t}`} y1={MARGIN.top} y2={MARGIN.top + plotH} x1={sx(t)} x2={sx(t)} />
            ))}
        </g>
        {marks?.areas?.map((a) => (
          <g key={`a${a.x1}-${a.x2}`} className="lc-area">
            <rect x={sx(a.x1)} width={Math.max(1, sx(a.x2) - sx(a.x1))} y={MARGIN.top} height={plotH} fill={a.color} fillOpacity={0.13} />
            <text x={(sx(a.x1) + sx(a.x2)) / 2} y={MARGIN.top + 12} fill={a.color} textAnchor="middle">
              {a.label}
            </text>
          </g>
        ))}
        <g className="lc-axis">
          <line x1={MARGIN.left} x2={MARGIN.left + plotW} y1={MARGIN.top + plotH} y2={MARGIN.top + plotH} />
          {y.ticks.map((t) => (
            <text key={`yt${t}`} x={MARGIN.left - 8} y={sy(t)} dy="0.32em" textAnchor="end">
              {fmtY(t)}
            </text>
          ))}
          {x.ticks
            .filter((t) => t >= xDomain[0] && t <= xDomain[1])
            .map((t) => (
              <text key={`xt${t}`} x={sx(t)} y={MARGIN.top + plotH + 16} textAnchor="middle">
                {t.toLocaleString('en-US')}
              </text>
            ))}
        </g>
        {series.map((s, i) => (
          <g key={s.name} className="lc-series">
            <path
              d={paths[i]}
              fill="none"
              stroke={s.color}
              strokeOpacity={s.faint ? 0.28 : undefined}
              strokeWidth={s.dots ? 2 : s.faint ? 1.2 : 1.6}
              strokeDasharray={s.dashed ? '5 3' : undefined}
              strokeLinejoin="round"
            />
            {s.dots &&
              s.xs.map((xv, k) =>
                s.ys[k] === null || !Number.isFinite(s.ys[k]) ? null : <circle key={k} className="lc-dot" cx={sx(xv)} cy={sy(s.ys[k] as number)} r={3} fill="var(--surface)" stroke={s.color} strokeWidth={2} />,
              )}
          </g>
        ))}
        {marks?.lines?.map((l) =>
          l.x !== undefined ? (
            <g key={`lx${l.x}${l.label}`} className="lc-mark">
              <line x1={sx(l.x)} x2={sx(l.x)} y1={MARGIN.top} y2={MARGIN.top + plotH} stroke={l.color} strokeDasharray="4 3" />
              <text x={sx(l.x) + 4} y={MARGIN.top + 10} fill={l.color}>
                {l.label}
              </text>
            </g>
          ) : l.y !== undefined && l.y >= y.min && l.y <= y.max ? (
            <g key={`ly${l.y}${l.label}`} className="lc-mark">
              <line x1={MARGIN.left} x2={MARGIN.left + plotW} y1={sy(l.y)} y2={sy(l.y)} stroke={l.color} strokeDasharray="4 3" />
              <text x={MARGIN.left + plotW - 4} y={sy(l.y) - 4} fill={l.color} textAnchor="end">
                {l.label}
              </text>
            </g>
          ) : null,
        )}
        {hover !== null && <line className="lc-hover" x1={sx(hover)} x2={sx(hover)} y1={MARGIN.top} y2={MARGIN.top + plotH} />}
        <rect className="lc-capture" x={MARGIN.left} y={MARGIN.top} width={plotW} height={plotH} fill="transparent" onPointerMove={onMove} onPointerLeave={() => setHover(null)} />
      </svg>
      {tooltip && tooltip.length > 0 && hover !== null && (
        <div className="lc-tooltip" style={{ left: Math.min(width - 170, sx(hover) + 12), top: MARGIN.top }} aria-hidden="true">
          <div className="lc-tooltip-title">step {hover.toLocaleString('en-US')}</div>
          {tooltip.map((t) => (
            <div key={t.name} className="lc-tooltip-row">
              <span className="lc-swatch" style={{ background: t.color }} />
              {t.name} <strong>{Math.abs(t.value) < 1e-3 && t.value !== 0 ? t.value.toExponential(2) : t.value.toFixed(4)}</strong>
            </div>
          ))}
        </div>
      )}
      <ul className="lc-legend" aria-hidden="true">
        {series.filter((s) => !s.faint).map((s) => (
          <li key={s.name}>
            <span className={`lc-swatch ${s.dashed ? 'is-dashed' : ''}`} style={{ background: s.color }} />
            {s.name}
          </li>
        ))}
      </ul>
    </div>
  );
}
