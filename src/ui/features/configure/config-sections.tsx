// Every TrainConfig field as a labelled control with one line of help (the field comments of
// protocol/train-config.ts, said for people) and its validation error. Grouped as a run is thought about: the run,
// the optimizer, the schedule, regularisation, layers, evaluation and early stopping.
import type { ReactNode } from 'react';
import { Card } from '../../components/card';
import { CheckboxField, ListField, NumberField, SelectField, TextField } from '../../components/fields';
import {
  ADAPTER_KINDS,
  ADAPTER_NON_LINEARITIES,
  DEFAULT_ADAPTERS,
  DEFAULT_LORA,
  EVAL_METRICS,
  HEAD_INITS,
  METRICS_BY_TASK,
  SCHEDULE_TYPES,
  type AdapterKind,
  type AdapterNonLinearity,
  type EvalMetric,
  type HeadInit,
  type ScheduleType,
  type TrainConfig,
} from '../../../protocol/train-config';
import { TASKS, type Task } from '../../../protocol/task';
import { TASK_LABELS } from '../../format';
import { useApp } from '../../store/app-store';

export type FieldErrors = ReadonlyMap<string, string>;

interface SectionProps {
  draft: TrainConfig;
  errors: FieldErrors;
  set: (path: string, value: unknown) => void;
}

const SCHEDULE_LABELS: Record<ScheduleType, string> = {
  constant: 'Constant',
  linear: 'Linear decay',
  cosine: 'Cosine',
  'cosine-restarts': 'Cosine with restarts',
  polynomial: 'Polynomial decay',
  step: 'Step decay',
  plateau: 'Reduce on plateau',
};

const HEAD_INIT_LABELS: Record<HeadInit, string> = {
  normal: 'Normal (the model\'s initializer_range)',
  xavier: 'Xavier uniform',
  zeros: 'Zeros',
};

const ADAPTER_KIND_LABELS: Record<AdapterKind, string> = { pfeiffer: 'Pfeiffer', houlsby: 'Houlsby' };

/** The bottleneck's activation; '' is the kind's own (houlsby swish, pfeiffer relu). */
const NON_LINEARITY_OPTIONS: { value: AdapterNonLinearity | ''; label: string }[] = [
  { value: '', label: 'The kind\'s own' },
  ...ADAPTER_NON_LINEARITIES.map((n) => ({ value: n, label: n === 'swish' ? 'swish (SiLU)' : n })),
];

export const METRIC_LABELS: Record<EvalMetric, string> = {
  eval_loss: 'Validation loss',
  accuracy: 'Accuracy',
  f1_macro: 'F1 (macro)',
  f1_micro: 'F1 (micro)',
  f1_weighted: 'F1 (weighted)',
  entity_f1: 'Entity F1',
};

function metricOptions(task: Task) {
  const allowed = METRICS_BY_TASK[task] ?? EVAL_METRICS;
  return allowed.map((m) => ({ value: m, label: METRIC_LABELS[m] }));
}

function num(props: SectionProps, path: string, label: string, help: ReactNode, extra: { nullable?: boolean; placeholder?: string } = {}) {
  const value = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], props.draft);
  return <NumberField key={path} label={label} help={help} value={value} error={props.errors.get(path)} onChange={(v) => props.set(path, v)} {...extra} />;
}

export function RunSection(props: SectionProps) {
  const { draft, errors } = props;
  // The checkpoint runs start from, not the last run's model (whose head that run made).
  const modelTask = useApp((s) => s.model.current?.baseTask ?? null);
  const choose = useApp((s) => s.taskChosen);
  return (
    <Card title="Run" description="What to train and for how long.">
      <div className="field-grid">
        <SelectField<Task>
          label="Task"
          help={modelTask && modelTask !== draft.task ? `The checkpoint was saved for ${TASK_LABELS[modelTask].toLowerCase()}; a new head is made for this task.` : 'The head and the loss; the checkpoint suggests one.'}
          value={draft.task}
          options={TASKS.map((t) => ({ value: t, label: TASK_LABELS[t] }))}
          error={errors.get('task')}
          onChange={(t) => choose(t)}
        />
        {num(props, 'epochs', 'Epochs', 'Passes over the training data; may be fractional.')}
        {num(props, 'maxSteps', 'Max steps', 'Stop after this many optimizer steps; empty runs every epoch.', { nullable: true, placeholder: 'all epochs' })}
        {num(props, 'batchSize', 'Batch size', 'Examples per forward and backward pass.')}
        {num(props, 'gradAccumulation', 'Gradient accumulation', 'Batches summed before each optimizer step (a larger effective batch).')}
        {num(props, 'microBatchSize', 'Micro-batch size', 'Split each batch into passes of this many examples: the same gradient, less memory. Empty: the memory planner decides when the run starts.', { nullable: true, placeholder: 'planner' })}
        {num(props, 'maxLength', 'Max length (tokens)', 'Longer examples are truncated; special tokens count.')}
        {num(props, 'seed', 'Seed', 'Fixes the split, data order, dropout and new-head initialisation.')}
        <SelectField<HeadInit>
          label="Head initialisation"
          help="How a head the run creates starts: normal with the config's initializer_range, as transformers does; Xavier; or zeros."
          value={draft.headInit}
          options={HEAD_INITS.map((h) => ({ value: h, label: HEAD_INIT_LABELS[h] }))}
          error={errors.get('headInit')}
          onChange={(h) => props.set('headInit', h)}
        />
        <CheckboxField
          label="Gradient checkpointing"
          help="Keep only each layer's input and compute the layer again in the backward pass: far less memory, about a third more time, the same gradients."
          checked={draft.gradientCheckpointing === true}
          error={props.errors.get('gradientCheckpointing')}
          onChange={(v) => props.set('gradientCheckpointing', v)}
        />
      </div>
    </Card>
  );
}

export function OptimizerSection(props: SectionProps) {
  const { draft, errors, set } = props;
  const betas = Array.isArray(draft.betas) ? draft.betas : [undefined, undefined];
  return (
    <Card title="Optimizer" description="AdamW with decoupled weight decay, as torch.optim.AdamW.">
      <div className="field-grid">
        {num(props, 'learningRate', 'Learning rate', 'Peak rate, reached after warmup. The default follows the model\'s width: 5e-5 for BERT-base (hidden 768), 768/hidden times more for narrower models (3e-4 at hidden 128).')}
        {num(props, 'weightDecay', 'Weight decay', 'Pulls weights towards zero each step; not applied to biases and LayerNorms.')}
        <NumberField label="β₁" help="Momentum of the gradient's running mean." value={betas[0]} error={errors.get('betas')} onChange={(v) => set('betas', [v, betas[1]])} />
        <NumberField label="β₂" help="Momentum of the squared gradient's running mean." value={betas[1]} error={errors.get('betas')} onChange={(v) => set('betas', [betas[0], v])} />
        {num(props, 'eps', 'ε (epsilon)', 'Added to the denominator for numerical safety.')}
        {num(props, 'maxGradNorm', 'Gradient clipping', 'Global gradient-norm limit (torch clip_grad_norm_); empty does not clip.', { nullable: true, placeholder: 'no clipping' })}
        <ListField
          label="No weight decay for"
          help="Parameters whose name contains one of these (comma-separated, case-insensitive)."
          value={draft.noDecay}
          error={errors.get('noDecay')}
          onChange={(v) => set('noDecay', v)}
        />
      </div>
    </Card>
  );
}

/** Which schedule fields a schedule type reads; the others are kept, folded away. */
const SCHEDULE_FIELDS: Record<ScheduleType, string[]> = {
  constant: [],
  linear: [],
  cosine: ['minLr', 'numCycles'],
  'cosine-restarts': ['restartCycles'],
  polynomial: ['minLr', 'power'],
  step: ['stepSize', 'gamma'],
  plateau: ['minLr', 'plateau'],
};

export function ScheduleSection(props: SectionProps) {
  const { draft, errors, set } = props;
  const type = draft.schedule.type;
  const used = new Set(SCHEDULE_FIELDS[type] ?? []);
  const fields: { key: string; node: ReactNode }[] = [
    { key: 'minLr', node: num(props, 'schedule.minLr', 'Minimum rate', 'Floor of the curve (cosine eta_min, polynomial lr_end, plateau min_lr).') },
    { key: 'numCycles', node: num(props, 'schedule.numCycles', 'Cosine waves', 'Waves after warmup; 0.5 is one half-cosine down to the minimum.') },
    { key: 'restartCycles', node: num(props, 'schedule.restartCycles', 'Restarts', 'Hard-restart cycles of the cosine.') },
    { key: 'power', node: num(props, 'schedule.power', 'Power', 'Exponent of the polynomial decay; 1 is linear.') },
    { key: 'stepSize', node: num(props, 'schedule.stepSize', 'Step size', 'Optimizer steps between two multiplications by γ.') },
    { key: 'gamma', node: num(props, 'schedule.gamma', 'γ (decay factor)', 'Multiplies the rate every step size.') },
    {
      key: 'plateau',
      node: (
        <div key="plateau" className="field-grid nested">
          <SelectField<EvalMetric>
            label="Plateau metric"
            help="The evaluation metric watched for a plateau."
            value={draft.schedule.plateau.metric}
            options={metricOptions(draft.task)}
            error={errors.get('schedule.plateau.metric')}
            onChange={(m) => set('schedule.plateau.metric', m)}
          />
          {num(props, 'schedule.plateau.factor', 'Reduction factor', 'The rate is multiplied by this on a plateau.')}
          {num(props, 'schedule.plateau.patience', 'Plateau patience', 'Evaluations without improvement before a reduction.')}
          {num(props, 'schedule.plateau.threshold', 'Threshold', 'How much better counts as an improvement.')}
          <SelectField
            label="Threshold mode"
            help="Relative: a share of the best value; absolute: a fixed amount."
            value={draft.schedule.plateau.thresholdMode}
            options={[
              { value: 'rel', label: 'Relative' },
              { value: 'abs', label: 'Absolute' },
            ]}
            onChange={(m) => set('schedule.plateau.thresholdMode', m)}
          />
          {num(props, 'schedule.plateau.cooldown', 'Cooldown', 'Evaluations to wait after a reduction.')}
        </div>
      ),
    },
  ];
  return (
    <Card title="Learning-rate schedule" description="Linear warmup, then the chosen curve; each layer group gets its share (see the preview).">
      <div className="field-grid">
        <SelectField<ScheduleType>
          label="Schedule"
          help="The shape of the rate after warmup."
          value={type}
          options={SCHEDULE_TYPES.map((t) => ({ value: t, label: SCHEDULE_LABELS[t] }))}
          error={errors.get('schedule.type')}
          onChange={(t) => set('schedule.type', t)}
        />
        {num(props, 'schedule.warmupRatio', 'Warmup share', 'Share of all steps spent warming up linearly from 0.')}
        {num(props, 'schedule.warmupSteps', 'Warmup steps', 'Overrides the share when set.', { nullable: true, placeholder: 'from the share' })}
        {fields.filter((f) => used.has(f.key)).map((f) => f.node)}
      </div>
      {fields.some((f) => !used.has(f.key)) && (
        <details className="other-fields">
          <summary>Settings of the other schedules</summary>
          <div className="field-grid">{fields.filter((f) => !used.has(f.key)).map((f) => f.node)}</div>
        </details>
      )}
    </Card>
  );
}

function modelDropout(configJson: string | undefined): Record<'hidden' | 'attention' | 'classifier', string> {
  let raw: Record<string, unknown> = {};
  try {
    raw = configJson ? (JSON.parse(configJson) as Record<string, unknown>) : {};
  } catch {
    raw = {};
  }
  const text = (v: unknown) => (typeof v === 'number' ? `model: ${v}` : 'model default');
  return {
    hidden: text(raw.hidden_dropout_prob ?? raw.dropout),
    attention: text(raw.attention_probs_dropout_prob ?? raw.attention_dropout),
    classifier: text(raw.classifier_dropout ?? raw.seq_classif_dropout),
  };
}

export function RegularisationSection(props: SectionProps) {
  const configJson = useApp((s) => s.model.current?.configJson);
  const model = modelDropout(configJson);
  return (
    <Card title="Regularisation" description="Against overfitting and against forgetting what the model knew.">
      <div className="field-grid">
        {num(props, 'dropout.hidden', 'Hidden dropout', 'Dropout of hidden states; empty keeps the model’s.', { nullable: true, placeholder: model.hidden })}
        {num(props, 'dropout.attention', 'Attention dropout', 'Dropout of attention weights; empty keeps the model’s.', { nullable: true, placeholder: model.attention })}
        {num(props, 'dropout.classifier', 'Classifier dropout', 'Dropout before the head; empty keeps the model’s.', { nullable: true, placeholder: model.classifier })}
        {num(props, 'labelSmoothing', 'Label smoothing', 'Share of the target spread over the other classes (0 is off).')}
        {num(props, 'l2sp', 'L2-SP strength', 'Pulls weights towards their pretrained values (0 is off).')}
      </div>
    </Card>
  );
}

export function LayersSection(props: SectionProps & { headPrefix: string }) {
  const { draft, errors, set } = props;
  const showPanel = useApp((s) => s.showPanel);
  const multipliers = Object.entries(draft.lrMultipliers ?? {});
  return (
    <Card
      title="Layers"
      description="Frozen prefixes and per-layer rates; the Layers panel edits these by clicking."
      actions={
        <button type="button" className="button button-ghost button-small" onClick={() => showPanel('layers', true)}>
          Open the layer tree
        </button>
      }
    >
      <div className="field-grid">
        <ListField
          label="Frozen prefixes"
          help="Checkpoint-name prefixes that never train (whole dotted segments), comma-separated."
          value={draft.freeze}
          placeholder="none: everything trains"
          error={errors.get('freeze')}
          onChange={(v) => set('freeze', v)}
        />
        {num(props, 'layerDecay', 'Pyramid ξ (layer decay)', 'Each layer trains at ξ times the rate of the one above; 1 is off.')}
        {num(props, 'gradualUnfreeze', 'Gradual unfreezing (epochs)', 'One more layer joins every N epochs, from the top; empty is off.', { nullable: true, placeholder: 'off' })}
        <CheckboxField
          label="LoRA adapters"
          help="Freeze the model and train small low-rank adapters on the chosen layers, with the head (about 1% of the parameters); exported as a PEFT adapter beside the merged weights."
          checked={draft.lora !== null}
          error={errors.get('lora')}
          disabled={draft.task === 'mlm'}
          onChange={(on) => set('lora', on ? { ...DEFAULT_LORA } : null)}
        />
        {draft.lora !== null && (
          <>
            {num(props, 'lora.r', 'LoRA rank r', 'Rank of each adapter\'s update B·A.')}
            {num(props, 'lora.alpha', 'LoRA alpha', 'The update is scaled by alpha / r.')}
            {num(props, 'lora.dropout', 'LoRA dropout', 'Dropout on the adapters\' input.')}
            <ListField
              label="LoRA target layers"
              help="Linear layers whose names end in one of these get an adapter (query, value for BERT; q_lin, v_lin for DistilBERT)."
              value={draft.lora.targetModules}
              error={errors.get('lora.targetModules')}
              onChange={(v) => set('lora.targetModules', v)}
            />
          </>
        )}
        <CheckboxField
          label="Bottleneck adapters"
          help="Freeze the model and train small bottleneck layers inside every encoder layer, with the head (AdapterHub's layout); one kind of adapter per run."
          checked={draft.adapters !== null}
          error={errors.get('adapters')}
          disabled={draft.task === 'mlm'}
          onChange={(on) => set('adapters', on ? { ...DEFAULT_ADAPTERS } : null)}
        />
        {draft.adapters !== null && (
          <>
            <SelectField<AdapterKind>
              label="Adapter kind"
              help="Pfeiffer: one bottleneck after each layer's feed-forward block; Houlsby: one after the attention output and one after the feed-forward block."
              value={draft.adapters.kind}
              options={ADAPTER_KINDS.map((k) => ({ value: k, label: ADAPTER_KIND_LABELS[k] }))}
              error={errors.get('adapters.kind')}
              onChange={(k) => set('adapters.kind', k)}
            />
            {num(props, 'adapters.reductionFactor', 'Reduction factor', 'The bottleneck has hidden size / this many units (at least 1).')}
            <SelectField<AdapterNonLinearity | ''>
              label="Adapter activation"
              help="The bottleneck's non-linearity."
              value={draft.adapters.nonLinearity ?? ''}
              options={NON_LINEARITY_OPTIONS}
              error={errors.get('adapters.nonLinearity')}
              onChange={(n) => set('adapters.nonLinearity', n === '' ? null : n)}
            />
          </>
        )}
      </div>
      <fieldset className="field multipliers">
        <legend className="field-label">Learning-rate multipliers</legend>
        <p className="field-help">An extra factor for every parameter under a prefix; the longest matching prefix wins.</p>
        {multipliers.length > 0 && (
          <ul className="multiplier-list">
            {multipliers.map(([prefix, factor], i) => (
              <li key={i} className="multiplier-row">
                <TextField
                  label={`Prefix ${i + 1}`}
                  value={prefix}
                  onChange={(p) => set('lrMultipliers', Object.fromEntries(multipliers.map(([k, f], j) => (j === i ? [p, f] : [k, f]))))}
                />
                <NumberField
                  label={`Factor ${i + 1}`}
                  value={factor}
                  onChange={(f) => set('lrMultipliers', Object.fromEntries(multipliers.map(([k, v], j) => (j === i ? [k, f] : [k, v]))))}
                />
                <button
                  type="button"
                  className="button button-ghost button-small"
                  aria-label={`Remove multiplier ${i + 1}`}
                  onClick={() => set('lrMultipliers', Object.fromEntries(multipliers.filter((_, j) => j !== i)))}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        {errors.get('lrMultipliers') && <p className="field-error">{errors.get('lrMultipliers')}</p>}
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={() => set('lrMultipliers', { ...Object.fromEntries(multipliers), [multipliers.some(([k]) => k === props.headPrefix) ? `${props.headPrefix}.weight` : props.headPrefix]: 2 })}
        >
          Add a multiplier
        </button>
      </fieldset>
    </Card>
  );
}

export function EvaluationSection(props: SectionProps) {
  const { draft, errors, set } = props;
  const every = draft.evalEvery;
  return (
    <Card title="Evaluation and early stopping" description="When the model is scored on the validation data, and when to stop.">
      <div className="field-grid">
        {num(props, 'validationSplit', 'Validation share', 'Held out of the training file when no validation file is given.')}
        <SelectField<'share' | 'epoch' | 'steps'>
          label="Evaluate"
          help="Every share of the run (the default, 0.1: ten times, however long the run), at the end of each epoch, or every N optimizer steps."
          value={every === 'epoch' ? 'epoch' : typeof every === 'number' && every > 0 && every < 1 ? 'share' : 'steps'}
          options={[
            { value: 'share', label: 'Every share of the run' },
            { value: 'epoch', label: 'Every epoch' },
            { value: 'steps', label: 'Every N steps' },
          ]}
          error={errors.get('evalEvery')}
          onChange={(v) => set('evalEvery', v === 'epoch' ? 'epoch' : v === 'share' ? 0.1 : 50)}
        />
        {every !== 'epoch' &&
          (typeof every === 'number' && every > 0 && every < 1
            ? num(props, 'evalEvery', 'Share of the run', 'Between two evaluations, as a share of the run\'s steps: 0.1 evaluates ten times, 0.25 four.')
            : num(props, 'evalEvery', 'N (steps)', 'Optimizer steps between evaluations.'))}
        <SelectField<EvalMetric>
          label="Watch metric"
          help="Decides the best evaluation and when to stop early."
          value={draft.earlyStopping.metric}
          options={metricOptions(draft.task)}
          error={errors.get('earlyStopping.metric')}
          onChange={(m) => set('earlyStopping.metric', m)}
        />
        {num(props, 'earlyStopping.patience', 'Patience', 'Stop after this many evaluations without improvement; empty never stops early.', { nullable: true, placeholder: 'off' })}
        {num(props, 'earlyStopping.minDelta', 'Minimum change', 'Smaller changes of the metric do not count as improvement.')}
        <CheckboxField
          label="Restore the best weights at the end"
          help="Keeps the weights of the best evaluation instead of the last step."
          checked={draft.earlyStopping.restoreBest === true}
          error={errors.get('earlyStopping.restoreBest')}
          onChange={(v) => set('earlyStopping.restoreBest', v)}
        />
      </div>
    </Card>
  );
}
