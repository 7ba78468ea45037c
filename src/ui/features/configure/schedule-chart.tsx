// The learning-rate schedule of every parameter group before the run starts (schedule-preview.ts: the loop's own
// functions), one line per group from the embeddings to the head, each in a colour of its own, with the run's step
// counts. Drawn with the light SVG LineChart (no text measuring), so opening Configure stays a short task.
import { useMemo } from 'react';
import { Card } from '../../components/card';
import { ChartFigure, formatSmall, groupColor } from '../../components/chart-figure';
import { LineChart, type ChartMarks, type ChartSeries } from '../../components/line-chart';
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
  const series = useMemo(
    (): ChartSeries[] => preview.groups.map((g, gi) => ({ name: shortName(g.name), color: groupColor(gi), xs: preview.steps.map((st) => st + 1), ys: g.values })),
    [preview],
  );
  const marks = useMemo((): ChartMarks => ({ lines: derived.warmupSteps > 0 ? [{ x: derived.warmupSteps + 1, label: 'warmup ends', color: 'var(--muted)' }] : [] }), [derived.warmupSteps]);
  // Groups with the same curve overlap; say how many share the top one.
  const distinct = new Set(preview.groups.map((g) => g.values.join(','))).size;
  const top = preview.groups.at(-1);
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
        <LineChart
          series={series}
          xDomain={[1, Math.max(2, derived.totalSteps)]}
          height={300}
          marks={marks}
          formatY={formatSmall}
          summary={`${preview.groups.length} groups over ${formatCount(derived.totalSteps)} steps; ${top ? `${shortName(top.name)} peaks at ${formatSmall(Math.max(...top.values))}` : ''}.`}
        />
      </ChartFigure>
    </Card>
  );
}
