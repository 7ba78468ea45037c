// The Dataset panel: drop or choose a file (read in the worker by the CLI's readDataset, with progress and Cancel),
// then its preview, column mapping, label distribution, split, augmentation and every warning. A file that cannot
// be read shows its coded error above the dataset that stays loaded.
import { EmptyState } from '../../components/empty-state';
import { Later } from '../../components/later';
import { ErrorAlert } from '../../components/error-alert';
import { FileButton, FileDrop } from '../../components/file-drop';
import { NextStep } from '../../components/next-step';
import { PanelHeader } from '../../components/panel-header';
import { useEngine } from '../../engine-context';
import type { DatasetSummary } from '../../../protocol/dataset-summary';
import { TASK_LABELS } from '../../format';
import { useApp } from '../../store/app-store';
import { dataTask, fitsTask } from '../../store/config-slice';
import { Icon } from '../../components/icons';
import { Augmentation } from './augmentation';
import { ColumnMapping } from './column-mapping';
import { DataWarnings } from './data-warnings';
import { readDatasetFile } from './dataset-files';
import { DatasetOverview } from './dataset-overview';
import { DatasetPreview } from './dataset-preview';
import { DatasetReading } from './dataset-reading';
import { LabelChart } from './label-chart';
import { QuickStart, SampleDataset } from './quick-start';
import { SplitSettings } from './split-settings';
import { BalanceAndLength } from './balance-and-length';

const ACCEPT = '.csv,.tsv,.tab,.jsonl,.ndjson,.json,.conll,.conllu,.iob,.bio,.txt,text/*';

function ReadError() {
  const error = useApp((s) => s.dataset.error);
  const kept = useApp((s) => (s.dataset.error ? s.dataset[s.dataset.error.role] : null));
  const dismiss = useApp((s) => s.dismissDatasetError);
  if (!error) return null;
  const cancelled = error.error.code === 'DATASET_READ_CANCELLED';
  return (
    <ErrorAlert title={cancelled ? `Reading “${error.file}” was cancelled` : `Could not read “${error.file}”`} error={error.error} onDismiss={dismiss}>
      {kept && (
        <p className="alert-note">
          The dataset loaded before, <bdi>{kept.file}</bdi>, is still loaded and unchanged.
        </p>
      )}
    </ErrorAlert>
  );
}

/** Says when the task changed by itself to fit the file; and plainly when the file cannot feed the task, with the switch. */
function TaskFit({ summary }: { summary: DatasetSummary }) {
  const task = useApp((s) => s.config.draft.task);
  const hasModel = useApp((s) => s.model.current !== null);
  const switched = useApp((s) => s.config.taskSwitch);
  const choose = useApp((s) => s.taskChosen);
  const fits = fitsTask(task, summary);
  if (fits && switched !== null && switched.file === summary.file && switched.to === task) {
    return (
      <p className="inline-note" role="note">
        <Icon name="info" size={16} />
        <span>
          The run’s task is now {TASK_LABELS[task].toLowerCase()}: <bdi>{summary.file}</bdi> holds {summary.kind === 'tokens' ? 'tagged sentences' : 'labelled rows'} (it
          was {TASK_LABELS[switched.from].toLowerCase()}). The Layers panel shows the head this run makes.
        </span>
      </p>
    );
  }
  if (fits || !hasModel) return null;
  const other = dataTask(summary);
  const need =
    task === 'token-cls'
      ? 'sentences of tokens with tags (a CoNLL file, or JSONL with tokens and tags)'
      : task === 'seq-cls'
        ? 'rows with a text column and a label column (choose the label column below)'
        : 'rows or lines of text';
  return (
    <ErrorAlert
      title="This data does not fit the model's task"
      error={{ code: 'TRAIN_TASK_DATA_MISMATCH', message: `The model is set up for ${TASK_LABELS[task].toLowerCase()}, which needs ${need}.` }}
    >
      {other !== task && (summary.kind === 'tokens' || summary.labelColumn !== null) ? (
        <div className="alert-actions">
          <button type="button" className="button button-secondary button-small" onClick={() => choose(other)}>
            Switch to {TASK_LABELS[other].toLowerCase()}
          </button>
          <span className="alert-note">or open another file.</span>
        </div>
      ) : (
        <p className="alert-note">{summary.kind === 'examples' && summary.labelColumn === null ? 'Choose the label column below, or open another file.' : 'Open another file, or change the task in the Configure panel.'}</p>
      )}
    </ErrorAlert>
  );
}

function Loaded({ train }: { train: DatasetSummary }) {
  const validation = useApp((s) => s.dataset.validation);
  const planNotes = useApp((s) => s.dataset.plan?.warnings) ?? [];
  const summaries = validation ? [train, validation] : [train];
  return (
    <div className="summary" role="region" aria-label="Loaded dataset">
      <TaskFit summary={train} />
      <QuickStart />
      <DatasetOverview summary={train} />
      <Later minHeight={160}>
        <ColumnMapping summary={train} />
      </Later>
      <Later minHeight={400}>
        <DatasetPreview summary={train} />
      </Later>
      <Later minHeight={300}>
        <div className="card-row">
          <LabelChart summary={train} />
          <SplitSettings />
          <BalanceAndLength />
        </div>
      </Later>
      {validation && <DatasetOverview summary={validation} />}
      <Later minHeight={200}>
        <Augmentation />
      </Later>
      <Later minHeight={80}>
        <DataWarnings summaries={summaries} planNotes={planNotes} />
      </Later>
      <NextStep to="layers" label="Next: choose the layers to train" />
    </div>
  );
}

export function DatasetPanel() {
  const engine = useEngine();
  const train = useApp((s) => s.dataset.train);
  const pending = useApp((s) => s.dataset.pending);
  const open = (file: File) => readDatasetFile(engine, 'train', file);
  return (
    <FileDrop onFile={open} overlay="Drop the dataset file to read it" className="panel-body">
      <PanelHeader
        title="Dataset"
        description="Labelled examples to fine-tune on: CSV, TSV, JSON Lines or CoNLL. The file is read on this device and never uploaded."
        actions={train && <FileButton label="Dataset file" text="Choose another file" variant="secondary" accept={ACCEPT} onFile={open} />}
      />
      <ReadError />
      {pending && <DatasetReading pending={pending} />}
      {train ? (
        <Loaded train={train} />
      ) : (
        <div className="card empty-card drop-card">
          <EmptyState
            icon="upload"
            title="Drop a dataset file here, or choose one"
            action={<FileButton label="Dataset file" text="Choose a dataset file" accept={ACCEPT} onFile={open} />}
          >
            <p>
              A CSV or TSV with a text column and a label column, JSON Lines with <code>text</code> and <code>label</code>, or a CoNLL file of
              tokens and tags for named entities. The columns are detected; you can change them after.
            </p>
          </EmptyState>
          <SampleDataset />
        </div>
      )}
    </FileDrop>
  );
}
