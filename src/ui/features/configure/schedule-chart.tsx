// The learning-rate schedule of every parameter group before the run starts (schedule-preview.ts: the loop's own
// functions), one line per group from the embeddings (cool) to the head (warm), with the run's step counts.
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Card } from '../../components/card';
import { AXIS, ChartFigure, GRID, TOOLTIP_STYLE, depthColor, formatSmall } from '../../components/chart-figure';
import { StatGrid } from '../../components/stat-grid';
import type { ParameterInfo } from '../../../protocol/messages';
import type { TrainConfig } from '../../../protocol/train-config';
import { formatCount } from '../../format';
import { schedulePreview } from './schedule-preview';

function shortName(name: string): string {
  const parts = name.split('.');
  const last = parts[parts.length - 1];
  return /^\d+$/.test(last) && parts.length >= 2 ? `${parts[parts.length - 2]} ${last}` : last;
}

export function ScheduleChart(props: { config: TrainConfig; batchesPerEpoch: number; fromData: boolean; parameters: readonly ParameterInfo[]; numLayers: number }) {
  const { config, batchesPerEpoch, parameters, numLayers } = props;
  const preview = useMemo(() => {
    try {
      return schedulePreview(config, batchesPerEpoch, parameters, numLayers);
    } catch {
      // Prefixes that match nothing are reported by the Layers card; preview without them.
      return schedulePreview({ ...config, freeze: [], lrMultipliers: {} }, batchesPerEpoch, parameters, numLayers);
    }
  }, [config, batchesPerEpoch, parameters, numLayers]);
  const { derived } = preview;
  const data = preview.steps.map((step, i) => {
    const row: Record<string, number> = { step: step + 1 };
    preview.groups.forEach((g, gi) => (row[`g${gi}`] = g.values[i]));
    return row;
  });
  // Groups with the same curve overlap; say how many share the top one.
  const distinct = new Set(preview.groups.map((g) => g.values.join(','))).size;
  return (
    <Card
      title="Schedule preview"
      description={
        props.fromData
          ? 'Per parameter group, step by step, as the training loop will compute it.'
          : 'No dataset yet: step counts assume 1,000 training examples. Load a dataset for the real ones.'
      }
    >
      <StatGrid
        label="Run length"
        items={[
          { label: 'Steps per epoch', value: formatCount(derived.stepsPerEpoch) },
          { label: 'Total steps', value: formatCount(derived.totalSteps) },
          { label: 'Warmup steps', value: formatCount(derived.warmupSteps) },
          { label: 'Epochs', value: formatCount(derived.epochs) },
        ]}
      />
      <ChartFigure
        title="Learning-rate schedule"
        description={`${preview.groups.length} groups${distinct < preview.groups.length ? `, ${distinct} distinct ${distinct === 1 ? 'curve' : 'curves'}` : ''}${config.schedule.type === 'plateau' ? '; plateau reductions depend on evaluations and are not shown' : ''}`}
      >
        <ResponsiveContainer width="100%" height={300}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 4 }}>
            <CartesianGrid {...GRID} />
            <XAxis dataKey="step" type="number" domain={[1, Math.max(1, derived.totalSteps)]} {...AXIS} tickFormatter={(v) => formatCount(Number(v))} />
            <YAxis {...AXIS} tickFormatter={formatSmall} width={52} />
            <Tooltip {...TOOLTIP_STYLE} formatter={(v, name) => [formatSmall(Number(v)), String(name)]} labelFormatter={(l) => `step ${formatCount(Number(l))}`} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {derived.warmupSteps > 0 && <ReferenceLine x={derived.warmupSteps + 1} stroke="var(--muted)" strokeDasharray="4 4" label={{ value: 'warmup ends', fill: 'var(--muted)', fontSize: 11, position: 'insideTopRight' }} />}
            {preview.groups.map((g, gi) => (
              <Line
                key={g.name}
                dataKey={`g${gi}`}
                name={shortName(g.name)}
                stroke={depthColor(gi, preview.groups.length)}
                dot={false}
                strokeWidth={1.75}
                isAnimationActive={false}
                type="linear"
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </ChartFigure>
    </Card>
  );
}
