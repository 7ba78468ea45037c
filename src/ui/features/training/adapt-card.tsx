// "Adapt to my text": the optional step before fine-tuning, folded away below the run's status and charts (open while
// it runs or after it ran). Continued masked-LM training of the loaded checkpoint on unlabeled text — the training
// dataset's text column or a separate file (picked or dropped) — with progress, held-out masked-token accuracy, and
// Stop that keeps or discards the weights so far.
import { useState } from 'react';
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { CheckboxField, NumberField, SelectField } from '../../components/fields';
import { FileButton, FileDrop } from '../../components/file-drop';
import { Icon } from '../../components/icons';
import { ProgressBar } from '../../components/progress-bar';
import { useEngine } from '../../engine-context';
import { adaptSettingsErrors, type AdaptSettings } from '../../../protocol/adaptation';
import { TASK_LABELS, formatBytes, formatCount } from '../../format';
import { isAdapting } from '../../store/adaptation-slice';
import { useApp } from '../../store/app-store';
import { isActive } from '../../store/training-slice';
import { adaptBlockers, adaptStatusText, lengthHelp } from './adapt-progress';

const TEXT_ACCEPT = '.txt,.csv,.tsv,.tab,.jsonl,.ndjson,.json,text/*';

function TextChoice({ disabled }: { disabled: boolean }) {
  const source = useApp((s) => s.adaptation.source);
  const file = useApp((s) => s.adaptation.file);
  const train = useApp((s) => s.dataset.train);
  const choose = useApp((s) => s.adaptSourceChosen);
  const chosen = useApp((s) => s.adaptFileChosen);
  return (
    <fieldset className="choice-list adapt-text" disabled={disabled}>
      <legend>Text to adapt on</legend>
      <label className="choice">
        <input type="radio" name="adapt-text" checked={source === 'dataset'} disabled={train === null} onChange={() => choose('dataset')} />
        <span>
          <span className="choice-title">The training dataset’s text</span>
          <span className="choice-hint">{train ? <bdi>{`${train.file}: its ${train.kind === 'tokens' ? 'sentences' : 'text column'}; labels are ignored`}</bdi> : 'Open a dataset in the Dataset panel first.'}</span>
        </span>
      </label>
      <label className="choice">
        <input type="radio" name="adapt-text" checked={source === 'file'} disabled={file === null} onChange={() => choose('file')} />
        <span>
          <span className="choice-title">A separate text file</span>
          <span className="choice-hint">{file ? <bdi>{`${file.name} · ${formatBytes(file.size)}`}</bdi> : 'A .txt file with one example per line, or the text column of a CSV, TSV or JSONL file. Choose one or drop it here.'}</span>
        </span>
      </label>
      <div>
        <FileButton label="Adaptation text file" text={file ? 'Choose another text file' : 'Choose a text file'} variant="secondary" accept={TEXT_ACCEPT} onFile={chosen} />
      </div>
    </fieldset>
  );
}

function Settings({ draft, disabled }: { draft: AdaptSettings; disabled: boolean }) {
  const set = useApp((s) => s.adaptSettingChanged);
  const errors = new Map(adaptSettingsErrors(draft).map((e) => [e.path, `Expected ${e.expected}.`]));
  const { length } = draft;
  return (
    <div className="field-grid">
      <SelectField<'epochs' | 'steps'>
        label="Length in"
        value={length.unit}
        options={[
          { value: 'epochs', label: 'Epochs' },
          { value: 'steps', label: 'Steps' },
        ]}
        disabled={disabled}
        onChange={(unit) => set('length', unit === 'epochs' ? { unit, epochs: 1 } : { unit, steps: 100 })}
      />
      {length.unit === 'epochs' ? (
        <NumberField label="Epochs" help={lengthHelp(draft)} value={length.epochs} error={errors.get('length.epochs')} disabled={disabled} onChange={(v) => set('length.epochs', v)} />
      ) : (
        <NumberField label="Steps" help={lengthHelp(draft)} value={length.steps} error={errors.get('length.steps')} disabled={disabled} onChange={(v) => set('length.steps', v)} />
      )}
      <NumberField
        label="Learning rate"
        help="Peak rate (1e-4 suits continued pretraining); 6% warmup, then linear decay."
        value={draft.learningRate}
        error={errors.get('learningRate')}
        disabled={disabled}
        onChange={(v) => set('learningRate', v)}
      />
      <NumberField
        label="Max length (tokens)"
        help="A longer line becomes consecutive windows of this many tokens: no text is cut away."
        value={draft.maxLength}
        error={errors.get('maxLength')}
        disabled={disabled}
        onChange={(v) => set('maxLength', v)}
      />
      <NumberField label="Batch size" help="Windows per optimizer step." value={draft.batchSize} error={errors.get('batchSize')} disabled={disabled} onChange={(v) => set('batchSize', v)} />
      <CheckboxField
        label="Whole-word masking"
        help="Mask every piece of a word together, so that a word cannot be guessed from its other pieces."
        checked={draft.wholeWord === true}
        disabled={disabled}
        onChange={(v) => set('wholeWord', v)}
      />
    </div>
  );
}

function Progress() {
  const a = useApp((s) => s.adaptation);
  const p = a.prepare;
  const last = a.recent.at(-1);
  return (
    <>
      <p role="status" aria-label="Adaptation status" aria-busy={isAdapting(a.status)} className={`run-status is-${a.status}`}>
        {adaptStatusText(a)}
      </p>
      {a.status === 'preparing' && <ProgressBar label="Preparing the adaptation" value={p?.done ?? 0} max={p?.phase === 'model' ? 0 : (p?.total ?? 0)} />}
      {a.plan && (
        <>
          <ProgressBar label="Adaptation progress" value={last?.step ?? 0} max={a.plan.totalSteps} text={`${formatCount(last?.step ?? 0)} / ${formatCount(a.plan.totalSteps)} steps`} />
          <p className="muted small">
            {formatCount(a.plan.trainExamples)} windows of up to {a.plan.maxLength} tokens from <bdi>{a.plan.text}</bdi> ({formatCount(a.plan.lines)} lines) ·{' '}
            {a.plan.heldOutLines > 0 ? `${formatCount(a.plan.heldOutLines)} lines held out for evaluation` : 'too few lines to hold any out for evaluation'}
            {a.plan.capped && ` · capped at ${formatCount(a.plan.totalSteps)} steps`}
          </p>
        </>
      )}
    </>
  );
}

export function AdaptCard() {
  const engine = useEngine();
  const a = useApp((s) => s.adaptation);
  const model = useApp((s) => s.model.current);
  const hasDataset = useApp((s) => s.dataset.train !== null);
  const training = useApp((s) => isActive(s.training.status));
  const fineTuned = useApp((s) => s.training.steps.count > 0);
  const chosen = useApp((s) => s.adaptFileChosen);
  const adapting = isAdapting(a.status);
  const blockers = adaptBlockers({
    hasModel: model !== null,
    maskToken: model?.tokenizer?.maskToken != null,
    source: a.source,
    hasDataset,
    hasFile: a.file !== null,
    settings: a.draft,
    training,
  });
  const [opened, setOpened] = useState(false);
  const start = () => {
    const text = a.source === 'file' && a.file !== null ? { kind: 'file' as const, file: a.file, choices: {} } : { kind: 'dataset' as const };
    engine.startAdaptation(text, a.draft);
  };
  return (
    <details className="adapt-expander" open={opened || a.status !== 'idle'} onToggle={(e) => setOpened(e.currentTarget.open)}>
      <summary className="adapt-summary">
        <span className="adapt-summary-title">Adapt to my text first (optional)</span>
        <span className="muted small">Continue the model’s pretraining on unlabeled text from your domain before fine-tuning.</span>
      </summary>
    <FileDrop onFile={chosen} overlay="Drop the text file to adapt the model on">
      <Card
        title="Adapt to my text (optional)"
        className="adapt-card"
        description="Before fine-tuning, continue the model’s masked-language-model pretraining on unlabeled text from your domain, so that it knows its words (“Don’t Stop Pretraining”, Gururangan et al. 2020). The loaded model changes only when the adaptation completes."
        actions={
          adapting ? (
            <div className="run-controls">
              <button type="button" className="button button-secondary" disabled={a.status === 'stopping' || a.status === 'preparing'} onClick={() => engine.stopAdaptation(true)}>
                <Icon name="stop" size={16} /> Stop and keep
              </button>
              <button type="button" className="button button-secondary button-danger" disabled={a.status === 'stopping'} onClick={() => engine.stopAdaptation(false)}>
                <Icon name="close" size={16} /> Stop and discard
              </button>
            </div>
          ) : (
            <button type="button" className="button button-secondary" disabled={blockers.length > 0} onClick={start}>
              <Icon name="refresh" size={16} /> Adapt the model
            </button>
          )
        }
      >
        <TextChoice disabled={adapting} />
        <Settings draft={a.draft} disabled={adapting} />
        {!adapting && blockers.length > 0 && <p className="muted small">{blockers.join(' ')}</p>}
        {model !== null && model.task !== 'mlm' && (
          <p className="muted small">
            This checkpoint’s {TASK_LABELS[model.task].toLowerCase()} head is not kept: the adapted model is a masked-LM checkpoint, and fine-tuning makes a new head.
          </p>
        )}
        {fineTuned && !adapting && <p className="muted small">Adapting starts from the checkpoint, not from the last fine-tuning run, whose weights it replaces: export them first to keep them.</p>}
        {a.status === 'failed' && a.error && <ErrorAlert title="The adaptation failed" error={a.error} />}
        <Progress />
      </Card>
    </FileDrop>
    </details>
  );
}
