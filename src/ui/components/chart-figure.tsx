// A chart as a figure with an accessible name (its caption) and a one-line description, so each chart can be
// found by role and name ("Loss", "Learning rate"); the SVG inside is drawn by recharts.
import { useId, type ReactNode } from 'react';

export function ChartFigure(props: { title: string; description?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <figure className={props.className ? `chart-figure ${props.className}` : 'chart-figure'} aria-labelledby={id}>
      <figcaption className="chart-caption">
        <span className="chart-title" id={id}>
          {props.title}
        </span>
        {props.description && <span className="chart-description">{props.description}</span>}
        {props.actions && <span className="chart-actions">{props.actions}</span>}
      </figcaption>
      <div className="chart-body">{props.children}</div>
    </figure>
  );
}

/** Series colours (CSS variables, so both themes apply). */
export const SERIES = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-5)', 'var(--chart-6)'] as const;

/** A colour per depth, from the embeddings (cool) to the head (warm), for per-layer series. */
export function depthColor(index: number, count: number): string {
  const t = count <= 1 ? 1 : index / (count - 1);
  const hue = Math.round(235 - 215 * t);
  return `hsl(${hue} 68% var(--ramp-lightness))`;
}

/** Axis and grid props shared by every chart, themed by CSS variables. */
export const AXIS = { stroke: 'var(--border-strong)', tick: { fill: 'var(--muted)', fontSize: 11 }, tickLine: false } as const;
export const GRID = { stroke: 'var(--border)', strokeDasharray: '3 3' } as const;
export const TOOLTIP_STYLE = {
  contentStyle: { background: 'var(--surface)', border: '1px solid var(--border-strong)', borderRadius: 8, fontSize: 12, color: 'var(--text)' },
  labelStyle: { color: 'var(--muted)' },
} as const;

/** Short learning-rate and loss numbers for axes: 0.00005 -> "5e-5". */
export function formatSmall(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 0.01 && abs < 10000) return Number(value.toPrecision(3)).toString();
  const [mantissa, exponent] = value.toExponential(1).split('e');
  return `${mantissa.replace(/\.0$/, '')}e${Number(exponent)}`;
}
