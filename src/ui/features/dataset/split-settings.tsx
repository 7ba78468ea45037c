// Split settings: the validation share and the seed (both TrainConfig fields, the same the Configure panel edits),
// or a separate validation file; then what the split gives per class, as the worker computed it with the run's
// own code (engine/train/prepare), and how the model's head will be sized for the data's classes (RELIABILITY C5).
import { Badge } from '../../components/badge';
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { FileButton } from '../../components/file-drop';
import { NumberField, SliderField } from '../../components/fields';
import { Icon } from '../../components/icons';
import { useEngine } from '../../engine-context';
import { TASK_LABELS, formatCount } from '../../format';
import { useApp } from '../../store/app-store';
import { forgetDatasetFile, readDatasetFile } from './dataset-files';

function HeadNote({ classes }: { classes: string[] }) {
  const model = useApp((s) => s.model.current);
  const task = useApp((s) => s.config.draft.task);
  if (!model || task === 'mlm' || classes.length === 0) return null;
  const count = `${formatCount(classes.length)} ${classes.length === 1 ? 'class' : 'classes'}`;
  // The checkpoint runs start from has no head for this task (a masked-LM base such as the built-in model).
  if (model.baseTask !== task) {
    return (
      <p className="inline-note" role="note">
        <Icon name="info" size={16} />
        <span>
          The checkpoint has no {TASK_LABELS[task].toLowerCase()} head: training makes a new one for your {count}, freshly initialised; the rest of the model keeps its
          pretrained weights.
        </span>
      </p>
    );
  }
  const same = model.labels.length === classes.length && model.labels.every((l, i) => l === classes[i]);
  if (same) {
    return (
      <p className="inline-note">
        <Icon name="check" size={16} /> The model's head already predicts exactly these classes, in this order.
      </p>
    );
  }
  const sameCount = model.labels.length === classes.length;
  return (
    <div className="inline-note is-warning" role="note">
      <Icon name="info" size={16} />
      <p>
        The model's head predicts {formatCount(model.labels.length)} {model.labels.length === 1 ? 'class' : 'classes'} (<bdi>{model.labels.slice(0, 6).join(', ')}</bdi>
        {model.labels.length > 6 ? ', …' : ''}); your data has {formatCount(classes.length)}.{' '}
        {sameCount
          ? 'Training keeps the head and renames its outputs in order (output i becomes class i).'
          : 'Training starts from a new, freshly initialised head for your classes; the rest of the model keeps its pretrained weights.'}
      </p>
    </div>
  );
}

export function SplitSettings() {
  const engine = useEngine();
  const validationSplit = useApp((s) => s.config.draft.validationSplit);
  const seed = useApp((s) => s.config.draft.seed);
  const setField = useApp((s) => s.configFieldChanged);
  const validationFile = useApp((s) => s.dataset.validation);
  const plan = useApp((s) => s.dataset.plan);
  const planError = useApp((s) => s.dataset.planError);
  const share = typeof validationSplit === 'number' && Number.isFinite(validationSplit) ? validationSplit : 0.1;
  const classes = plan ? plan.classes.items.filter((c) => c.train > 0).map((c) => c.label) : [];
  return (
    <Card title="Split" description="How much of the data is held out to evaluate the model while it trains.">
      <div className="field-row">
        {validationFile ? (
          <div className="field">
            <span className="field-label">Validation data</span>
            <p className="file-chip">
              <span>
                <Icon name="file" size={14} /> <bdi>{validationFile.file}</bdi>
              </span>
              <button
                type="button"
                className="button button-ghost button-small"
                onClick={() => {
                  forgetDatasetFile('validation');
                  engine.clearValidationFile();
                }}
              >
                Use a share of the training file instead
              </button>
            </p>
          </div>
        ) : (
          <SliderField
            label="Validation share"
            help="Rows held out, stratified by label so every class keeps its proportion."
            value={share}
            min={0}
            max={0.5}
            step={0.05}
            format={(v) => `${Math.round(v * 100)}%`}
            onChange={(v) => setField('validationSplit', Number(v.toFixed(2)))}
          />
        )}
        <NumberField label="Seed" help="Fixes the split, the data order, dropout and augmentation." value={seed} onChange={(v) => setField('seed', v)} />
        {!validationFile && (
          <div className="field">
            <span className="field-label">Or a separate file</span>
            <FileButton label="Validation file" text="Choose validation file" variant="secondary" onFile={(f) => readDatasetFile(engine, 'validation', f)} />
          </div>
        )}
      </div>
      {planError && <ErrorAlert title="These settings do not fit the data" error={planError} />}
      {plan && (
        <>
          <div className="split-bar" aria-hidden="true">
            <span className="split-train" style={{ flexGrow: Math.max(1, plan.augmentedExamples) }}>
              train
            </span>
            {plan.validationExamples > 0 && (
              <span className="split-validation" style={{ flexGrow: plan.validationExamples }}>
                validation
              </span>
            )}
          </div>
          <p className="split-summary">
            <strong className="tabular">{formatCount(plan.trainExamples)}</strong> training examples
            {plan.augmentedExamples > plan.trainExamples && <> ({formatCount(plan.augmentedExamples)} with augmentation)</>} ·{' '}
            <strong className="tabular">{formatCount(plan.validationExamples)}</strong> for validation{' '}
            <Badge>{plan.validationSource === 'file' ? 'from the validation file' : plan.validationSource === 'split' ? 'held out' : 'none: no evaluations'}</Badge>
          </p>
          {plan.classes.items.length > 0 && (
            <details className="table-details" open={plan.classes.items.length <= 12}>
              <summary>Per class</summary>
              <table className="data-table" aria-label="Examples per class and split">
                <thead>
                  <tr>
                    <th scope="col">Class</th>
                    <th scope="col" className="numeric">
                      Train
                    </th>
                    <th scope="col" className="numeric">
                      Validation
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {plan.classes.items.map((c) => (
                    <tr key={c.label} className={c.train === 0 ? 'is-warning' : undefined}>
                      <td>
                        <bdi>{c.label}</bdi>
                      </td>
                      <td className="numeric tabular">{formatCount(c.train)}</td>
                      <td className="numeric tabular">{formatCount(c.validation)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
          <HeadNote classes={classes} />
        </>
      )}
    </Card>
  );
}
