// The Export panel: the model to export (and an explicit override for weights that hold NaN or ±Inf, N1), then one
// card per export format (format-card.tsx, formats.ts), the training recipe (recipe-card.tsx) and the push to the Hub
// (push-card.tsx). The worker writes the files, checks them against the engine
// (the Hugging Face folder re-read by its loader, the ONNX files run by onnxruntime-web) and only then hands them over.
import { useState } from 'react';
import { EXPORT_FORMATS } from '../../../protocol/export';
import type { ModelSummary } from '../../../protocol/messages';
import { Card } from '../../components/card';
import { EmptyState } from '../../components/empty-state';
import { NextStep } from '../../components/next-step';
import { PanelHeader } from '../../components/panel-header';
import { StatGrid } from '../../components/stat-grid';
import { TASK_LABELS, formatCount } from '../../format';
import { useApp } from '../../store/app-store';
import { FormatCard } from './format-card';
import { PushCard } from './push-card';
import { RecipeCard } from './recipe-card';

function trainedText(status: string, steps: number, reason: string | undefined): string {
  if (status === 'idle') return 'Not fine-tuned in this session: the export is the checkpoint as it was loaded.';
  if (status === 'finished') return `Fine-tuned for ${formatCount(steps)} steps (${reason === 'completed' ? 'run finished' : reason === 'early-stopped' ? 'stopped early' : 'stopped by you'}).`;
  if (status === 'paused') return `Paused after ${formatCount(steps)} steps: the export holds the weights as they are now.`;
  if (status === 'failed') return `The run failed after ${formatCount(steps)} steps: the export holds the weights of the last good step.`;
  return 'Training is running: pause or stop it to export.';
}

function Exporter({ model }: { model: ModelSummary }) {
  const status = useApp((s) => s.training.status);
  const steps = useApp((s) => s.training.steps.count);
  const reason = useApp((s) => s.training.finish?.reason);
  const needsOverride = useApp((s) => s.exporting.error?.error.code === 'EXPORT_NON_FINITE');
  const [allowNonFinite, setAllowNonFinite] = useState(false);
  const blocked = status === 'running' || status === 'preparing' || status === 'pausing' || status === 'stopping';
  return (
    <>
      <Card title="Model to export" description={`${model.architectures.join(', ') || model.model_type}, float32 weights.`}>
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
      </Card>
      {EXPORT_FORMATS.map((format) => (
        <FormatCard key={format} format={format} model={model} blocked={blocked} allowNonFinite={allowNonFinite} />
      ))}
      <RecipeCard model={model} />
      <PushCard blocked={blocked} />
    </>
  );
}

export function ExportPanel() {
  const model = useApp((s) => s.model.current);
  return (
    <div className="panel-body">
      <PanelHeader
        title="Export"
        description="Download the model as a Hugging Face folder or as ONNX for transformers.js, or a recipe that reruns the run on GPUs. Files are written and checked in your browser; nothing is uploaded unless you push to the Hub."
      />
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
