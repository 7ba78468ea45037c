// A chart as a figure with an accessible name (its caption) and a one-line description, so each chart can be
// found by role and name ("Loss", "Learning rate"); the SVG inside is drawn by line-chart.tsx or bar-chart.tsx.
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

/** A colour per depth, from the embeddings (cool) to the head (warm), for per-layer heat and bars. */
export function depthColor(index: number, count: number): string {
  const t = count <= 1 ? 1 : index / (count - 1);
  const hue = Math.round(235 - 215 * t);
  return `hsl(${hue} 68% var(--ramp-lightness))`;
}

/** Twelve hues far apart, cool to warm, for the lines of the parameter groups. */
const GROUP_HUES = [232, 190, 150, 110, 45, 15, 340, 280, 205, 170, 75, 0];

/**
 * A colour per parameter group that tells each line from its neighbours (the depth ramp made a 14-group BERT's
 * neighbouring lines look alike): hues far apart, the lightness alternating; beyond twelve groups they repeat darker.
 */
export function groupColor(index: number): string {
  const hue = GROUP_HUES[index % GROUP_HUES.length];
  const shade = (index % 2 === 0 ? 0 : -12) + (index >= GROUP_HUES.length ? -10 : 0);
  return `hsl(${hue} 70% calc(var(--ramp-lightness) + ${shade}%))`;
}

/** Short learning-rate and loss numbers for axes: 0.00005 -> "5e-5". */
export function formatSmall(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 0.01 && abs < 10000) return Number(value.toPrecision(3)).toString();
  const [mantissa, exponent] = value.toExponential(1).split('e');
  return `${mantissa.replace(/\.0$/, '')}e${Number(exponent)}`;
}
