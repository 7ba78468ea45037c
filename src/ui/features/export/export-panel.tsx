// The Export panel: one button that zips the current model as a Hugging Face folder in the worker and downloads it;
// what the zip holds, how to load it in Python, and an explicit override for weights that hold NaN or ±Inf (N1).
import { useState } from 'react';
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { EmptyState } from '../../components/empty-state';
import { FileTable } from '../../components/file-table';
import { Icon } from '../../components/icons';
import { NextStep } from '../../components/next-step';
import { PanelHeader } from '../../components/panel-header';
import { StatGrid } from '../../components/stat-grid';
import { useEngine } from '../../engine-context';
import type { ModelSummary } from '../../../protocol/messages';
import type { Task } from '../../../protocol/task';
import { TASK_LABELS, formatBytes, formatCount } from '../../format';
import { useApp } from '../../store/app-store';

const AUTO_CLASS: Record<Task, string> = {
  'seq-cls': 'AutoModelForSequenceClassification',
  'token-cls': 'AutoModelForTokenClassification',
  mlm: 'AutoModelForMaskedLM',
};

function trainedText(status: string, steps: number, reason: string | undefined): string {
  if (status === 'idle') return 'Not fine-tuned in this session: the export is the checkpoint as it was loaded.';
  if (status === 'finished') return `Fine-tuned for ${formatCount(steps)} steps (${reason === 'completed' ? 'run finished' : reason === 'early-stopped' ? 'stopped early' : 'stopped by you'}).`;
  if (status === 'paused') return `Paused after ${formatCount(steps)} steps: the export holds the weights as they are now.`;
  if (status === 'failed') return `The run failed after ${formatCount(steps)} steps: the export holds the weights of the last good step.`;
  return 'Training is running: pause or stop it to export.';
}

function Exporter({ model }: { model: ModelSummary }) {
  const engine = useEngine();
  const exporting = useApp((s) => s.exporting);
  const dismiss = useApp((s) => s.dismissExportError);
  const status = useApp((s) => s.training.status);
  const steps = useApp((s) => s.training.steps.count);
  const reason = useApp((s) => s.training.finish?.reason);
  const [allowNonFinite, setAllowNonFinite] = useState(false);
  const busy = exporting.requestId !== null;
  const blocked = status === 'running' || status === 'preparing' || status === 'pausing' || status === 'stopping';
  const result = exporting.result;
  const needsOverride = exporting.error?.code === 'EXPORT_NON_FINITE';
  return (
    <>
      <Card
        title="Hugging Face folder"
        description={`config.json (${model.architectures.join(', ') || model.model_type}), model.safetensors (float32) and the tokenizer files, zipped in one folder.`}
      >
        <StatGrid
          label="Model to export"
          items={[
            { label: 'Model', value: model.source || 'Checkpoint' },
            { label: 'Task', value: TASK_LABELS[model.task] },
            { label: 'Parameters', value: formatCount(model.parameterCount) },
            { label: 'Labels', value: model.task === 'mlm' ? '—' : formatCount(model.labels.length) },
          ]}
        />
        <p className="muted">{trainedText(status, steps, reason)}</p>
        {needsOverride && (
          <label className="check-label override">
            <input type="checkbox" checked={allowNonFinite} onChange={(e) => setAllowNonFinite(e.currentTarget.checked)} />
            <span>Export anyway, with the NaN or infinite values</span>
          </label>
        )}
        <div className="export-actions">
          <button type="button" className="button button-primary" disabled={busy || blocked} onClick={() => engine.exportModel(allowNonFinite)}>
            <Icon name="download" size={16} />
            {busy ? 'Exporting…' : 'Export'}
          </button>
          {result && (
            <a className="button button-ghost" href={result.url} download={result.fileName}>
              Download {result.fileName} again
            </a>
          )}
        </div>
        {exporting.error && <ErrorAlert title="Export failed" error={exporting.error} onDismiss={dismiss} />}
      </Card>
      {result && (
        <Card title="Exported" description={`${result.fileName} · ${formatBytes(result.size)} · unzip it to get the folder.`}>
          <FileTable files={result.files} label="Exported files" />
        </Card>
      )}
      <Card title="Use it" description="The folder loads in transformers as it is, and back into this studio from the Model panel.">
        <pre className="code-block" tabIndex={0} aria-label="Python example">
          {`from transformers import AutoTokenizer, ${AUTO_CLASS[model.task]}

folder = "${result ? result.fileName.replace(/\.zip$/, '') : 'model-finetuned'}"  # the unzipped folder
tokenizer = AutoTokenizer.from_pretrained(folder)
model = ${AUTO_CLASS[model.task]}.from_pretrained(folder)`}
        </pre>
      </Card>
    </>
  );
}

export function ExportPanel() {
  const model = useApp((s) => s.model.current);
  return (
    <div className="panel-body">
      <PanelHeader title="Export" description="Download the fine-tuned model as a Hugging Face folder. It is written in your browser; nothing is uploaded." />
      {model ? (
        <Exporter model={model} />
      ) : (
        <div className="card empty-card">
          <EmptyState icon="export" title="No model to export" action={<NextStep to="model" label="Open a model first" />}>
            <p>Load a checkpoint and fine-tune it; the export holds its current weights.</p>
          </EmptyState>
        </div>
      )}
      {model && <NextStep to="history" label="See all runs" />}
    </div>
  );
}
