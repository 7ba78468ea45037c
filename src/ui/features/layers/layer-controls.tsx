// The Layers panel's controls beside the tree: presets (head only, last N layers, all, gradual unfreezing), the
// trainable share and a memory estimate against the device's limits, and the pyramid slider (layer-wise learning
// rate decay) with each layer's peak rate drawn from planParameterGroups.
import { memo } from 'react';
import { Card } from '../../components/card';
import { ColumnChart } from '../../components/bar-chart';
import { ChartFigure, formatSmall } from '../../components/chart-figure';
import { NumberField, SliderField } from '../../components/fields';
import { StatGrid } from '../../components/stat-grid';
import type { GroupPlan } from '../../../protocol/param-groups';
import { formatBytes, formatCount } from '../../format';
import type { LayerPreset } from './layer-plan';
import type { MemoryPlan, PlanOption } from '../../../protocol/memory-plan';
import type { TrainConfig } from '../../../protocol/train-config';

const PRESETS: { preset: LayerPreset; label: string; help: string }[] = [
  { preset: 'head-only', label: 'Head only', help: 'Train the task head; the pretrained model stays as it is. Fast, least forgetting.' },
  { preset: 'last-n', label: 'Last N layers', help: 'Train the top N encoder layers and the head.' },
  { preset: 'all', label: 'All layers', help: 'Full fine-tuning: every parameter trains.' },
  { preset: 'gradual', label: 'Gradual unfreezing', help: 'ULMFiT: the head first, then one more layer from the top every few epochs.' },
];

export function LayerPresets(props: {
  active: { preset: LayerPreset; n: number } | null;
  numLayers: number;
  lastN: number;
  gradualEvery: number;
  onPreset: (preset: LayerPreset) => void;
  onLastN: (n: number) => void;
  onGradualEvery: (n: number) => void;
}) {
  return (
    <Card title="Presets" description="Common choices; the tree shows the result, and you can adjust it node by node.">
      <div className="preset-group" role="group" aria-label="Layer presets">
        {PRESETS.map((p) => (
          <button
            key={p.preset}
            type="button"
            className={`preset ${props.active?.preset === p.preset ? 'is-active' : ''}`}
            aria-pressed={props.active?.preset === p.preset}
            onClick={() => props.onPreset(p.preset)}
          >
            <span className="preset-title">{p.label}</span>
            <span className="preset-help">{p.help}</span>
          </button>
        ))}
      </div>
      <div className="field-row">
        <NumberField
          label="N (last layers)"
          help={`1 to ${props.numLayers}; applies the "Last N layers" preset.`}
          value={props.lastN}
          onChange={(v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= props.numLayers && props.onLastN(v)}
        />
        <NumberField
          label="Unfreeze every (epochs)"
          help="For gradual unfreezing: epochs between two layers joining."
          value={props.gradualEvery}
          onChange={(v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && props.onGradualEvery(v)}
        />
      </div>
    </Card>
  );
}

/** What taking a proposal changes in the config: its micro-batch, checkpointing and (when proposed) LoRA. */
export function proposalPatch(p: PlanOption, batchSize: number): Partial<TrainConfig> {
  return { microBatchSize: p.microBatch < batchSize ? p.microBatch : null, gradientCheckpointing: p.checkpointing, lora: p.lora };
}

export function TrainableBudget(props: {
  trainable: number;
  total: number;
  plan: MemoryPlan;
  backendLabel: string;
  batchSize: number;
  seqLength: number;
  onApply: (patch: Partial<TrainConfig>) => void;
  /** Seconds per optimizer step of an option, from the last run's measured step; null before any. */
  seconds: (option: PlanOption) => number | null;
  totalSteps: number;
}) {
  const { plan } = props;
  const memory = plan.asked.estimate;
  const limit = plan.limits.budget;
  const share = props.total > 0 ? (100 * props.trainable) / props.total : 0;
  const used = Math.min(1, memory.total / limit);
  const over = memory.total > limit;
  const bufferOver = plan.limits.maxBuffer !== null && memory.largestBuffer > plan.limits.maxBuffer;
  const pass = plan.asked.microBatch < props.batchSize ? ` in passes of ${plan.asked.microBatch}` : '';
  return (
    <Card title="Trainable parameters and memory" description={`The peak of a training step at batch size ${props.batchSize} × ${props.seqLength} tokens${pass} on ${props.backendLabel}, as the run plans it.`}>
      <StatGrid
        label="Training budget"
        items={[
          { label: 'Trainable', value: `${formatCount(props.trainable)} (${share.toFixed(share < 10 ? 2 : 1)}%)` },
          { label: 'Frozen', value: formatCount(props.total - props.trainable) },
          { label: 'Memory at the peak', value: formatBytes(memory.total) },
          { label: 'Largest buffer', value: formatBytes(memory.largestBuffer) },
        ]}
      />
      <div className={`meter ${over ? 'is-over' : ''}`}>
        <div className="meter-labels">
          <span>Estimated memory against {plan.limits.budgetLabel}</span>
          <span className="tabular">{`${(100 * (memory.total / limit)).toFixed(memory.total / limit < 0.01 ? 2 : 1)}%`}</span>
        </div>
        <meter className="meter-bar" aria-label="Estimated memory use" min={0} max={1} low={0.6} high={0.85} optimum={0.2} value={used} />
      </div>
      <ul className="memory-list" aria-label="Memory estimate by part">
        <li>
          <span>Weights</span>
          <span className="tabular">{formatBytes(memory.weights)}</span>
        </li>
        <li>
          <span>Gradients</span>
          <span className="tabular">{formatBytes(memory.gradients)}</span>
        </li>
        <li>
          <span>AdamW moments</span>
          <span className="tabular">{formatBytes(memory.optimizer)}</span>
        </li>
        <li>
          <span title="The trainer keeps each training weight's starting value, to measure how far it moves (and for L2-SP).">Starting values of trained weights</span>
          <span className="tabular">{formatBytes(memory.anchors)}</span>
        </li>
        <li>
          <span title="What the backward pass holds at its peak: saved activations and intermediate gradients.">Activations</span>
          <span className="tabular">{formatBytes(memory.activations)}</span>
        </li>
      </ul>
      <TimeLine seconds={props.seconds(plan.asked)} steps={props.totalSteps} what="The run as configured" />
      {(over || bufferOver) && (
        <div className="field-error" role="status">
          <p>
            {bufferOver
              ? `The largest buffer (${formatBytes(memory.largestBuffer)}) is over the GPU's binding limit (${formatBytes(plan.limits.maxBuffer ?? 0)}). `
              : 'This is more than the device allows. '}
            {plan.reason}
          </p>
          {plan.proposal && (
            <button type="button" className="button button-secondary" onClick={() => props.onApply(proposalPatch(plan.proposal as PlanOption, props.batchSize))}>
              Use this plan ({formatBytes(plan.proposal.estimate.total)})
            </button>
          )}
          {plan.proposal && <TimeLine seconds={props.seconds(plan.proposal)} steps={props.totalSteps} what="The plan" />}
        </div>
      )}
    </Card>
  );
}

/** "About 12 s a step, 25 min for 125 steps", from a measured step; nothing before one. */
function TimeLine(props: { seconds: number | null; steps: number; what: string }) {
  if (props.seconds === null) return null;
  const total = props.seconds * props.steps;
  const span = total >= 3600 ? `${(total / 3600).toFixed(1)} h` : total >= 60 ? `${Math.round(total / 60)} min` : `${Math.round(total)} s`;
  return (
    <p className="field-help">
      {props.what}: about {props.seconds < 10 ? props.seconds.toFixed(1) : Math.round(props.seconds)} s a step, {span} for {formatCount(props.steps)} steps (from the last run's measured step).
    </p>
  );
}

/** "bert.encoder.layer.3" -> "layer 3"; other groups keep their last segment. */
export function shortGroupName(name: string): string {
  const parts = name.split('.');
  const last = parts[parts.length - 1];
  return /^\d+$/.test(last) && parts.length >= 2 ? `${parts[parts.length - 2]} ${last}` : last;
}

export const Pyramid = memo(function Pyramid(props: { layerDecay: number; onChange: (v: number) => void; groups: GroupPlan[]; peakLr: (lrScale: number) => number }) {
  const data = props.groups.map((g) => ({ name: shortGroupName(g.name), full: g.name, lr: g.trainable ? props.peakLr(g.lrScale) : 0, trainable: g.trainable }));
  return (
    <Card title="Learning rate by layer" description="Layer-wise decay (the pyramid): each layer below the top trains at ξ times the rate of the one above it.">
      <SliderField
        label="Pyramid ξ (layer decay)"
        help="1 gives every layer the same rate; 0.8 gives the embeddings of a 12-layer model about 7% of the head's."
        value={props.layerDecay}
        min={0.5}
        max={1}
        step={0.01}
        format={(v) => v.toFixed(2)}
        onChange={(v) => props.onChange(Number(v.toFixed(2)))}
      />
      <ChartFigure title="Peak learning rate per layer" description="Bottom (embeddings) to top (head); frozen layers at 0.">
        <ColumnChart
          bars={data.map((d) => ({ label: d.name, title: d.full, value: d.lr, muted: !d.trainable }))}
          formatValue={formatSmall}
          summary={`Peak learning rate of ${data.length} groups, from ${formatSmall(data[0]?.lr ?? 0)} (${data[0]?.name ?? ''}) to ${formatSmall(data.at(-1)?.lr ?? 0)} (${data.at(-1)?.name ?? ''}).`}
        />
      </ChartFigure>
    </Card>
  );
});
