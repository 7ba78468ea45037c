// Multi-task heads (TrainConfig.tasks, #18): one encoder, a sequence-classification head per label column of the
// open training file, each with its loss weight; how the steps are shared among the heads (multiTask.sampler) and
// what early stopping watches (multiTask.watch). The worker reads each head's data from the open file with its label
// column (worker/task-data.ts), as `layerwise train --config` does for a head without a file of its own.
import { Card } from '../../components/card';
import { NumberField, SelectField, TextField } from '../../components/fields';
import { TASK_SAMPLERS, type TaskSampler, type TrainConfig } from '../../../protocol/train-config';
import { useApp } from '../../store/app-store';

interface SectionProps {
  draft: TrainConfig;
  errors: ReadonlyMap<string, string>;
  set: (path: string, value: unknown) => void;
}

const SAMPLER_LABELS: Record<TaskSampler, string> = {
  proportional: 'Proportional to the data',
  'round-robin': 'Round-robin (heads in turn)',
  temperature: 'Temperature-scaled',
};

/** The watch select's value for the mean over the heads (a head's name is never empty). */
const MEAN = '';

export function TasksSection({ draft, errors, set }: SectionProps) {
  const train = useApp((s) => s.dataset.train);
  const added = useApp((s) => s.taskHeadAdded);
  const changed = useApp((s) => s.taskHeadChanged);
  const removed = useApp((s) => s.taskHeadRemoved);
  if (draft.task !== 'seq-cls' || train?.kind !== 'examples') return null;
  const heads = draft.tasks ?? [];
  const columns = train.columns.filter((c) => !train.textColumns.includes(c));
  const metric = draft.earlyStopping.metric;
  return (
    <Card
      title="Tasks"
      description="Several heads on one encoder, each trained on a label column of the training file with its own loss weight and metrics. The first head is the exported model; the others go to heads/<name>/ beside it."
    >
      {errors.get('tasks') && <p className="field-error">{errors.get('tasks')}</p>}
      {heads.map((h, i) => (
        <fieldset className="field-grid" key={i}>
          <legend>{i === 0 ? `Head 1 (primary): ${h.name}` : `Head ${i + 1}: ${h.name}`}</legend>
          <TextField label={`Name of head ${i + 1}`} help="Its metrics' key and its folder heads/<name>." value={h.name} error={errors.get(`tasks[${i}].name`)} onChange={(v) => changed(i, 'name', v)} />
          <SelectField<string>
            label={`Label column of head ${i + 1}`}
            help="A sequence-classification head on this column of the training file."
            value={h.labelColumn ?? train.labelColumn ?? ''}
            options={(h.labelColumn === null || columns.includes(h.labelColumn) ? columns : [h.labelColumn, ...columns]).map((c) => ({ value: c, label: c }))}
            error={errors.get(`tasks[${i}].labelColumn`) ?? errors.get(`tasks[${i}].task`)}
            onChange={(v) => changed(i, 'labelColumn', v)}
          />
          <NumberField label={`Loss weight of head ${i + 1}`} help="Its loss is multiplied by this." value={h.weight} error={errors.get(`tasks[${i}].weight`)} step="any" min={0} onChange={(v) => changed(i, 'weight', v)} />
          <button type="button" className="button button-ghost button-small" onClick={() => removed(i)}>
            Remove head {i + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" className="button button-secondary button-small" onClick={added} disabled={columns.length <= Math.max(heads.length, 1)}>
        {heads.length === 0 ? 'Add a second head' : 'Add a head'}
      </button>
      {heads.length > 0 && (
        <div className="field-grid">
          <SelectField<TaskSampler>
            label="Steps shared by"
            help="Each step trains one head: each head's data once an epoch, heads in turn, or shares ∝ examples^(1/T)."
            value={draft.multiTask.sampler}
            options={TASK_SAMPLERS.map((v) => ({ value: v, label: SAMPLER_LABELS[v] }))}
            error={errors.get('multiTask.sampler')}
            onChange={(v) => set('multiTask.sampler', v)}
          />
          {draft.multiTask.sampler === 'temperature' && (
            <NumberField label="Temperature T" help="1 is proportional; larger evens the heads out." value={draft.multiTask.temperature} error={errors.get('multiTask.temperature')} step="any" min={1} onChange={(v) => set('multiTask.temperature', v)} />
          )}
          <SelectField<string>
            label="Early stopping watches"
            help={`The ${metric} of one head, or its mean over the heads; the best weights are chosen by it too.`}
            value={draft.multiTask.watch ?? MEAN}
            options={[{ value: MEAN, label: 'The mean over the heads' }, ...heads.map((h) => ({ value: h.name, label: `Head ${h.name}` }))]}
            error={errors.get('multiTask.watch')}
            onChange={(v) => set('multiTask.watch', v === MEAN ? null : v)}
          />
        </div>
      )}
    </Card>
  );
}
