// "Export as training recipe": a zip that reruns the run with Hugging Face transformers + accelerate on one GPU,
// several GPUs or nodes (DDP, DeepSpeed ZeRO-2/3, FSDP). It is written from the run that made the current weights,
// or, before any run, from the Configure panel's config, with the data read in the Dataset panel.
import type { ModelSummary } from '../../../protocol/messages';
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { FileTable } from '../../components/file-table';
import { Icon } from '../../components/icons';
import { useEngine } from '../../engine-context';
import { formatBytes } from '../../format';
import { useApp } from '../../store/app-store';

export function RecipeCard({ model }: { model: ModelSummary }) {
  const engine = useEngine();
  const recipe = useApp((s) => s.share.recipe);
  const draft = useApp((s) => s.config.draft);
  const trained = useApp((s) => s.training.status === 'finished');
  const dataset = useApp((s) => s.dataset.train);
  const dismiss = useApp((s) => s.dismissShareError);
  const folder = recipe.result ? recipe.result.fileName.replace(/\.zip$/, '') : 'model-recipe';
  return (
    <Card
      title="Training recipe for a GPU cluster"
      description="train.py with transformers + accelerate, the same model, labels, frozen layers, layer-wise learning rates, schedule and early stopping; accelerate configs for one GPU, DDP, several machines, DeepSpeed ZeRO-2/3 and FSDP; the data as JSONL; a README with the launch commands."
    >
      <p className="muted">
        {trained ? 'From the run that made these weights' : 'From the Configure panel (no run has finished yet)'}, starting from the {model.source || 'checkpoint'} weights;{' '}
        {dataset ? `data: ${dataset.file}, split as the studio splits it.` : 'no dataset is open: train.py will need --train_file.'}
      </p>
      <div className="export-actions">
        <button type="button" className="button button-primary" disabled={recipe.requestId !== null} onClick={() => engine.exportRecipe(draft)}>
          <Icon name="download" size={16} />
          {recipe.requestId !== null ? 'Writing…' : 'Export as training recipe'}
        </button>
        {recipe.result && (
          <a className="button button-ghost" href={recipe.result.url} download={recipe.result.fileName}>
            Download {recipe.result.fileName} again
          </a>
        )}
      </div>
      {recipe.error && <ErrorAlert title="Recipe failed" error={recipe.error} onDismiss={() => dismiss('recipe')} />}
      {recipe.result && (
        <>
          <p className="muted tabular">
            {recipe.result.fileName} · {formatBytes(recipe.result.size)}
          </p>
          <FileTable files={recipe.result.files} label="Recipe files" />
        </>
      )}
      <p className="muted">Use it (shell, in the unzipped folder):</p>
      <pre className="code-block" tabIndex={0} aria-label="Training recipe: use it">
        {`cd ${folder} && pip install -r requirements.txt
accelerate launch --config_file accelerate_config.yaml --num_processes 8 train.py`}
      </pre>
    </Card>
  );
}
