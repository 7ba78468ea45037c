// The sweep's scatter view: each trial result at one rung as a point, the swept parameter the user picks across and
// the ranking metric up; a parameter spanning a decade or more (learning rate, weight decay) on a log axis. Drawn as
// SVG with the studio's chart helpers (components/line-chart.tsx): no measuring, a few milliseconds per update.
import { useMemo } from 'react';
import type { TrialResult } from '../../../protocol/sweep';
import { niceTicks, tickText, useWidth } from '../../components/line-chart';
import { SERIES } from '../../components/chart-figure';

const MARGIN = { top: 12, right: 16, bottom: 40, left: 56 };

export interface ScatterPoint {
  x: number;
  y: number;
  rung: number;
  id: number;
}

/** The points of the results that have a score and a value of `param` (a number). */
export function scatterPoints(results: readonly TrialResult[], param: string): ScatterPoint[] {
  return results.flatMap((r) => {
    const x = r.values[param as keyof TrialResult['values']];
    return typeof x === 'number' && r.score !== null ? [{ x, y: r.score, rung: r.rung, id: r.id }] : [];
  });
}

/** A log axis when every value is positive and they span a factor of ten or more. */
export function wantsLog(xs: readonly number[]): boolean {
  return xs.length > 1 && xs.every((x) => x > 0) && Math.max(...xs) / Math.min(...xs) >= 10;
}

export function SweepScatter({ points, xLabel, yLabel, summary }: { points: ScatterPoint[]; xLabel: string; yLabel: string; summary: string }) {
  const [ref, width] = useWidth();
  const height = 260;
  const plotW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const log = wantsLog(points.map((p) => p.x));
  const axes = useMemo(() => {
    const xs = points.map((p) => (log ? Math.log10(p.x) : p.x));
    const ys = points.map((p) => p.y);
    const x = niceTicks(Math.min(...xs), Math.max(...xs), Math.max(2, Math.floor(plotW / 90)));
    const y = niceTicks(Math.min(...ys), Math.max(...ys), 4);
    return { x: { ...x, min: x.ticks[0], max: x.ticks[x.ticks.length - 1] }, y: { ...y, min: y.ticks[0], max: y.ticks[y.ticks.length - 1] } };
  }, [points, log, plotW]);
  const sx = (v: number) => MARGIN.left + (((log ? Math.log10(v) : v) - axes.x.min) / Math.max(1e-12, axes.x.max - axes.x.min)) * plotW;
  const sy = (v: number) => MARGIN.top + (1 - (v - axes.y.min) / Math.max(1e-12, axes.y.max - axes.y.min)) * plotH;
  const xText = (t: number) => (log ? Number((10 ** t).toPrecision(2)).toExponential() : tickText(t, axes.x.step));
  return (
    <div className="line-chart" ref={ref}>
      <svg width={width} height={height} role="img" aria-label={summary} data-testid="sweep-scatter">
        <g className="lc-grid">
          {axes.y.ticks.map((t) => (
            <line key={`y${t}`} x1={MARGIN.left} x2={MARGIN.left + plotW} y1={sy(t)} y2={sy(t)} />
          ))}
        </g>
        <g className="lc-axis">
          <line x1={MARGIN.left} x2={MARGIN.left + plotW} y1={MARGIN.top + plotH} y2={MARGIN.top + plotH} />
          {axes.y.ticks.map((t) => (
            <text key={`yt${t}`} x={MARGIN.left - 8} y={sy(t)} dy="0.32em" textAnchor="end">
              {tickText(t, axes.y.step)}
            </text>
          ))}
          {axes.x.ticks.map((t) => (
            <text key={`xt${t}`} x={MARGIN.left + ((t - axes.x.min) / Math.max(1e-12, axes.x.max - axes.x.min)) * plotW} y={MARGIN.top + plotH + 16} textAnchor="middle">
              {xText(t)}
            </text>
          ))}
          <text x={MARGIN.left + plotW / 2} y={height - 4} textAnchor="middle">
            {xLabel}
            {log ? ' (log scale)' : ''}
          </text>
        </g>
        {points.map((p) => (
          <circle key={`${p.id}-${p.rung}`} className="lc-dot" cx={sx(p.x)} cy={sy(p.y)} r={4.5} fill={SERIES[p.rung % SERIES.length]} fillOpacity={0.8}>
            <title>
              Trial {p.id}, rung {p.rung + 1}: {xLabel} {p.x}, {yLabel} {p.y.toFixed(4)}
            </title>
          </circle>
        ))}
      </svg>
    </div>
  );
}
