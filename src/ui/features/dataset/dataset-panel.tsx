// The Dataset panel: drop or choose a file (read in the worker by the CLI's readDataset, with progress and Cancel),
// then its preview, column mapping, label distribution, split, augmentation and every warning. A file that cannot
// be read shows its coded error above the dataset that stays loaded.
import { EmptyState } from '../../components/empty-state';
import { ErrorAlert } from '../../components/error-alert';
import { FileButton, FileDrop } from '../../components/file-drop';
import { NextStep } from '../../components/next-step';
import { PanelHeader } from '../../components/panel-header';
import { useEngine } from '../../engine-context';
import type { DatasetSummary } from '../../../protocol/dataset-summary';
import { TASK_LABELS } from '../../format';
import { useApp } from '../../store/app-store';
import { Augmentation } from './augmentation';
import { ColumnMapping } from './column-mapping';
import { DataWarnings } from './data-warnings';
import { readDatasetFile } from './dataset-files';
import { DatasetOverview } from './dataset-overview';
import { DatasetPreview } from './dataset-preview';
import { DatasetReading } from './dataset-reading';
import { LabelChart } from './label-chart';
import { SplitSettings } from './split-settings';

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

/** Says plainly when the file cannot feed the model's task, and what would. */
function TaskFit({ summary }: { summary: DatasetSummary }) {
  const task = useApp((s) => s.config.draft.task);
  const hasModel = useApp((s) => s.model.current !== null);
  const fits = task === 'token-cls' ? summary.kind === 'tokens' : summary.kind === 'examples' && (task === 'mlm' || summary.labelColumn !== null);
  if (fits || !hasModel) return null;
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
      <p className="alert-note">Open another file, or change the task in the Configure panel.</p>
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
      <DatasetOverview summary={train} />
      <ColumnMapping summary={train} />
      <DatasetPreview summary={train} />
      <div className="card-row">
        <LabelChart summary={train} />
        <SplitSettings />
      </div>
      {validation && <DatasetOverview summary={validation} />}
      <Augmentation />
      <DataWarnings summaries={summaries} planNotes={planNotes} />
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
        </div>
      )}
    </FileDrop>
  );
}
