// The Model panel: the built-in model (loaded on first visit), or a Hugging Face checkpoint folder (picker or drop);
// follow the load, read the summary, the model card and any text adaptation. A failed load shows its coded error
// above the model that is still loaded, which stays shown and usable.
import { Later } from '../../components/later';
import { EmptyState } from '../../components/empty-state';
import { ErrorAlert } from '../../components/error-alert';
import { NextStep } from '../../components/next-step';
import { PanelHeader } from '../../components/panel-header';
import { useEngine } from '../../engine-context';
import { useApp } from '../../store/app-store';
import { activeHubDownload } from '../../store/hub-slice';
import { Icon } from '../../components/icons';
import { DropZone, FolderPicker } from './model-folder-picker';
import { DEFAULT_MODEL_NAME, loadDefaultModel } from './default-model';
import { HubForm } from './hub-form';
import type { ModelFolderPick } from './model-folder-pick';
import { LoaderMessages } from './loader-messages';
import { ConfigCard, FilesCard, TaskCard, TokenizerCard } from './model-details';
import { AdaptationsCard, ModelCardView } from './model-card-view';
import { ModelLoading } from './model-loading';
import { ModelOverview } from './model-overview';
import { ParameterBreakdown } from './parameter-breakdown';
import { TryModel } from './try-model';

function ModelLoadError() {
  const error = useApp((s) => s.model.error);
  const current = useApp((s) => s.model.current?.source);
  const dismiss = useApp((s) => s.dismissModelError);
  if (!error) return null;
  const name = error.source !== '' ? `“${error.source}”` : 'the selected files';
  return (
    <ErrorAlert title={`Could not load ${name}`} error={error.error} onDismiss={dismiss}>
      {current !== undefined && (
        <p className="alert-note">
          The previously loaded model, <bdi>{current !== '' ? current : 'checkpoint'}</bdi>, is still loaded and unchanged.
        </p>
      )}
    </ErrorAlert>
  );
}

function ModelSummaryView() {
  const summary = useApp((s) => s.model.current);
  const trainNonFinite = useApp((s) => s.model.trainNonFinite);
  const trainNonFiniteChosen = useApp((s) => s.trainNonFiniteChosen);
  if (!summary) return null;
  return (
    <div className="summary" role="region" aria-label="Loaded model">
      <ModelOverview summary={summary} />
      <div className="card-row">
        <TokenizerCard tokenizer={summary.tokenizer} />
        <TaskCard summary={summary} />
      </div>
      {summary.adaptations.length > 0 && <AdaptationsCard adaptations={summary.adaptations} />}
      {summary.modelCard && (
        <Later minHeight={200}>
          <ModelCardView card={summary.modelCard} />
        </Later>
      )}
      <Later minHeight={200}>
        <TryModel summary={summary} />
      </Later>
      <Later minHeight={120}>
        <LoaderMessages messages={summary.messages} parameters={summary.parameters} trainNonFinite={trainNonFinite} onTrainNonFinite={trainNonFiniteChosen} />
      </Later>
      <Later minHeight={300}>
        <ParameterBreakdown parameters={summary.parameters} total={summary.parameterCount} />
      </Later>
      <Later minHeight={300}>
        <div className="card-row">
          <FilesCard files={summary.files} />
          <ConfigCard configJson={summary.configJson} />
        </div>
      </Later>
    </div>
  );
}

export function ModelPanel() {
  const engine = useEngine();
  const hasModel = useApp((s) => s.model.current !== null);
  const pending = useApp((s) => s.model.pending);
  // A Hub download shows its own progress bar; the loading card follows once the files are here.
  const downloading = useApp((s) => activeHubDownload(s) !== null);
  const pickFailed = useApp((s) => s.modelPickFailed);
  // The built-in model as it was loaded (not adapted since): loading it again would change nothing.
  const isDefault = useApp((s) => s.model.current?.source === DEFAULT_MODEL_NAME && s.model.current.adaptations.length === 0);
  const open = (pick: ModelFolderPick) => engine.loadModel(pick.source, pick.files);
  const empty = !hasModel && !pending;
  const builtIn = (
    <button type="button" className="button button-secondary" onClick={() => loadDefaultModel(engine)}>
      <Icon name="model" size={16} /> Load the built-in model
    </button>
  );
  return (
    <DropZone onPick={open} onError={(error) => pickFailed('', error)} className="panel-body">
      <PanelHeader
        title="Model"
        description="A pretrained Hugging Face checkpoint: the built-in one, or your own folder with config.json, model.safetensors and its tokenizer. Files are read on this device and never uploaded."
        actions={
          !empty && (
            <>
              {hasModel && !isDefault && !pending && builtIn}
              <FolderPicker onPick={open} variant="secondary" />
            </>
          )
        }
      />
      <ModelLoadError />
      {pending && !downloading && <ModelLoading pending={pending} />}
      {empty ? (
        <div className="card empty-card">
          <EmptyState
            icon="folder"
            title="No model loaded — open a Hugging Face checkpoint folder"
            action={
              <>
                <FolderPicker onPick={open} />
                {builtIn}
              </>
            }
          >
            <p>
              Pick the folder that holds <code>config.json</code>, <code>model.safetensors</code> and <code>tokenizer.json</code> or{' '}
              <code>vocab.txt</code>, or drop it here. BERT, RoBERTa, DistilBERT and ELECTRA checkpoints are supported.
            </p>
          </EmptyState>
        </div>
      ) : (
        <ModelSummaryView />
      )}
      <Later minHeight={200}>
        <HubForm />
      </Later>
      {hasModel && <NextStep to="dataset" label="Next: open a dataset" />}
    </DropZone>
  );
}
