// Per-layer telemetry as a heatmap: one row per parameter group (head at the top), one column per measured step,
// colour by the group's gradient norm or its distance from the pretrained weights ‖W − W₀‖ on a log scale. Frozen
// groups report exactly 0 and are drawn in the "zero" colour, so what trains is visible at a glance. A canvas, so
// thousands of cells redraw in a millisecond; the table below gives the numbers to assistive tech.
import { memo, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ChartFigure } from '../../components/chart-figure';
import type { StepTelemetry } from '../../../protocol/train-events';
import { formatCount } from '../../format';
import { thinIndices } from '../../series';
import { useApp } from '../../store/app-store';

type Metric = 'gradNorm' | 'weightDelta';

const COLUMNS = 96;
const CELL_H = 18;
const LABEL_W = 148;

export interface HeatmapData {
  groups: string[];
  steps: number[];
  /** [group][column]; null when not measured. */
  values: (number | null)[][];
  max: number;
  min: number;
}

/** The measured steps thinned to at most `columns`, as rows of values per group. */
export function heatmapData(measured: readonly StepTelemetry[], metric: Metric, columns = COLUMNS): HeatmapData {
  const picked = thinIndices(measured.length, columns).map((i) => measured[i]);
  const groups = picked[0]?.groups.map((g) => g.name) ?? [];
  const values = groups.map((_, gi) => picked.map((s) => s.groups[gi]?.[metric] ?? null));
  const positive = values.flat().filter((v): v is number => v !== null && v > 0 && Number.isFinite(v));
  return { groups, steps: picked.map((s) => s.step), values, max: positive.length ? Math.max(...positive) : 1, min: positive.length ? Math.min(...positive) : 1 };
}

/** 0..1 on a log scale between the smallest and the largest positive value. */
function level(v: number, min: number, max: number): number {
  if (max <= min) return 1;
  return Math.max(0, Math.min(1, (Math.log(v) - Math.log(min)) / (Math.log(max) - Math.log(min))));
}

/** "#rrggbb" -> [r, g, b]; the heat colours are hex in styles.css. */
function rgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : [128, 128, 128];
}

function mix(a: [number, number, number], b: [number, number, number], t: number): string {
  return `rgb(${a.map((x, i) => Math.round(x + (b[i] - x) * t)).join(' ')})`;
}

interface Palette {
  low: [number, number, number];
  high: [number, number, number];
  zero: string;
  danger: string;
}

/** The heat colours of the theme in use, read once per theme. */
function palette(canvas: HTMLCanvasElement): Palette {
  const css = getComputedStyle(canvas);
  return {
    low: rgb(css.getPropertyValue('--heat-low')),
    high: rgb(css.getPropertyValue('--heat-high')),
    zero: css.getPropertyValue('--heat-zero').trim(),
    danger: css.getPropertyValue('--danger').trim(),
  };
}

/** Draws the grid on a canvas: one fill per cell, so a long run costs no more DOM than a short one. */
function draw(canvas: HTMLCanvasElement, data: HeatmapData, rows: number[], { low, high, zero, danger }: Palette): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const scale = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(rows.length * CELL_H * scale);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.clearRect(0, 0, width, rows.length * CELL_H);
  const cols = Math.max(1, data.steps.length);
  const w = width / cols;
  rows.forEach((g, r) => {
    data.values[g].forEach((v, c) => {
      if (v === null) return;
      ctx.fillStyle = v === 0 ? zero : !Number.isFinite(v) ? danger : mix(low, high, level(v, data.min, data.max));
      ctx.fillRect(Math.floor(c * w), r * CELL_H, Math.ceil(w) + 0.5, CELL_H - 1);
    });
  });
}

function shortGroup(name: string): string {
  const parts = name.split('.');
  const last = parts[parts.length - 1];
  return /^\d+$/.test(last) && parts.length >= 2 ? `${parts[parts.length - 2]} ${last}` : last;
}

/** `measured`: the run's steps that measured the groups (StepHistory.layers, a new array only when one comes). */
export const TelemetryHeatmap = memo(function TelemetryHeatmap({ measured }: { measured: readonly StepTelemetry[] }) {
  const [metric, setMetric] = useState<Metric>('gradNorm');
  const name = useId();
  const data = useMemo(() => heatmapData(measured, metric), [measured, metric]);
  const rows = useMemo(() => [...data.groups.keys()].reverse(), [data]);
  const canvas = useRef<HTMLCanvasElement>(null);
  const theme = useApp((st) => st.layout.theme);
  const [canvasWidth, setCanvasWidth] = useState(0);
  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setCanvasWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, [data.groups.length]);
  const colours = useRef<{ theme: unknown; palette: Palette } | null>(null);
  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    if (colours.current?.theme !== theme) colours.current = { theme, palette: palette(el) };
    draw(el, data, rows, colours.current.palette);
  }, [data, rows, theme, canvasWidth]);
  const label = metric === 'gradNorm' ? 'gradient norm' : 'change from the pretrained weights (‖ΔW‖)';
  const latest = data.steps.length - 1;
  return (
    <ChartFigure
      title="Layer telemetry"
      description={`Per-group ${label} by step, log colour scale; frozen groups stay at zero.`}
      actions={
        <span className="segmented" role="radiogroup" aria-label="Heatmap value">
          {(
            [
              ['gradNorm', 'Gradient norm'],
              ['weightDelta', 'Weight change'],
            ] as const
          ).map(([m, text]) => (
            <label key={m} className={metric === m ? 'is-active' : undefined}>
              <input type="radio" name={name} value={m} checked={metric === m} onChange={() => setMetric(m)} className="visually-hidden" />
              {text}
            </label>
          ))}
        </span>
      }
    >
      {data.groups.length === 0 ? (
        <p className="muted chart-empty">Per-layer values appear after the first step.</p>
      ) : (
        <>
          <div className="heatmap">
            <div className="heatmap-labels" style={{ width: LABEL_W }} aria-hidden="true">
              {rows.map((g) => (
                <span key={g} style={{ height: CELL_H }} title={data.groups[g]}>
                  {shortGroup(data.groups[g])}
                </span>
              ))}
            </div>
            <canvas
              ref={canvas}
              className="heatmap-grid"
              style={{ height: rows.length * CELL_H }}
              role="img"
              aria-label={`Heatmap of the ${label} of ${rows.length} groups over ${data.steps.length} measured steps`}
              onPointerMove={(e) => {
                const box = e.currentTarget.getBoundingClientRect();
                const c = Math.min(data.steps.length - 1, Math.floor(((e.clientX - box.left) / box.width) * data.steps.length));
                const g = rows[Math.min(rows.length - 1, Math.floor((e.clientY - box.top) / CELL_H))];
                const v = data.values[g]?.[c];
                // The native tooltip, set directly: hovering must not re-render the panel.
                e.currentTarget.title = v === undefined ? '' : `${data.groups[g]} · step ${data.steps[c]} · ${v === null ? '—' : v.toPrecision(3)}`;
              }}
            />
          </div>
          <div className="heatmap-legend" aria-hidden="true">
            <span className="heatmap-swatch zero" /> 0 (frozen)
            <span className="heatmap-ramp" />
            <span className="tabular">
              {data.min.toPrecision(2)} → {data.max.toPrecision(2)}
            </span>
            <span className="muted">steps {formatCount(data.steps[0])}–{formatCount(data.steps[latest])}</span>
          </div>
          <details className="table-details">
            <summary>Latest values as a table</summary>
            <table className="data-table" aria-label="Layer telemetry at the latest measured step">
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col" className="numeric">
                    {label} at step {data.steps[latest]}
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((g) => (
                  <tr key={g}>
                    <td>
                      <code>{data.groups[g]}</code>
                    </td>
                    <td className="numeric tabular">{data.values[g][latest]?.toPrecision(4) ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </ChartFigure>
  );
});
