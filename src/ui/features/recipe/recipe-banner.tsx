// Above every panel while the studio is opened from a shared run recipe: its name, then for the model, the training
// file and the validation file whether what is open is the recipe's (the worker's check, recipe-open.ts), with the
// way to open what is missing — the built-in model or the Hub model it names, the dataset files read as the recipe
// read them — and the coded warning of a file that differs.
import type { ReactNode } from 'react';
import { DEFAULT_HUB_ENDPOINT } from '../../../protocol/hub';
import { recipeFilesMatch, type RecipeFileState } from '../../../protocol/recipe-files';
import type { RunRecipe } from '../../../protocol/run-recipe';
import { CodedMessage } from '../../components/coded-message';
import { ErrorAlert } from '../../components/error-alert';
import { Icon } from '../../components/icons';
import { useEngine } from '../../engine-context';
import { useApp } from '../../store/app-store';
import { loadDefaultModel } from '../model/default-model';

function StateLine({ label, state, children }: { label: string; state: RecipeFileState | undefined; children?: ReactNode }) {
  const said =
    state === undefined ? 'checking…' : state.status === 'same' ? 'the recipe\'s' : state.status === 'missing' ? 'not open yet' : state.status === 'differs' ? 'differs' : 'not in the recipe';
  return (
    <li className="recipe-file" data-status={state?.status ?? 'checking'}>
      <span>
        {label}: <strong>{said}</strong>
      </span>
      {state !== undefined && (state.status === 'differs' || state.status === 'unexpected') && (
        <p className="alert-message">
          <CodedMessage code={state.warning.code} message={state.warning.message} />
        </p>
      )}
      {state?.status !== 'same' && children}
    </li>
  );
}

/** A file input that reads the chosen file as the recipe's data (its columns and format as the recipe read them). */
function DataPick({ recipe, role }: { recipe: RunRecipe; role: 'train' | 'validation' }) {
  const engine = useEngine();
  const want = recipe.data[role];
  if (want === null) return null;
  return (
    <label className="button button-secondary button-small">
      <Icon name="upload" size={14} /> Open {want.name}
      <input
        type="file"
        hidden
        aria-label={`Open the recipe's ${role === 'train' ? 'training' : 'validation'} file (${want.name})`}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (file) engine.readDataset(role, file, recipe.data.choices);
          e.currentTarget.value = '';
        }}
      />
    </label>
  );
}

function ModelPick({ recipe }: { recipe: RunRecipe }) {
  const engine = useEngine();
  const showPanel = useApp((s) => s.showPanel);
  const { origin } = recipe.model;
  if (origin.kind === 'built-in') {
    return (
      <button type="button" className="button button-secondary button-small" onClick={() => loadDefaultModel(engine)}>
        Load the built-in model
      </button>
    );
  }
  if (origin.kind === 'hub') {
    return (
      <button type="button" className="button button-secondary button-small" onClick={() => engine.loadHubModel({ id: origin.id, revision: origin.revision, endpoint: DEFAULT_HUB_ENDPOINT })}>
        Download {origin.id} ({origin.revision}) from the Hub
      </button>
    );
  }
  return (
    <button type="button" className="button button-secondary button-small" onClick={() => showPanel('model', true)}>
      Open the folder {recipe.model.source} in the Model panel
    </button>
  );
}

export function RecipeBanner() {
  const engine = useEngine();
  const opened = useApp((s) => s.runRecipe.opened);
  const openError = useApp((s) => s.runRecipe.openError);
  const close = useApp((s) => s.recipeClosed);
  const dismiss = useApp((s) => s.dismissRecipeError);
  if (opened === null) return openError && <ErrorAlert title="The shared recipe could not be opened" error={openError} onDismiss={() => dismiss('openError')} />;
  const { recipe, check } = opened;
  const ready = check !== null && recipeFilesMatch(check);
  return (
    <div className={ready ? 'alert' : 'alert alert-warning'} role="region" aria-label="Shared run recipe">
      <span className="alert-icon">
        <Icon name="file" size={20} />
      </span>
      <div className="alert-body">
        <p className="alert-title">
          Shared run: <bdi>{recipe.name}</bdi>
        </p>
        <p className="alert-message">
          Configure holds the recipe&apos;s settings.{' '}
          {ready ? 'Every file is the recipe\'s: start it in the Train panel.' : 'Open its files: each is checked against the recipe\'s fingerprint.'}
        </p>
        <ul className="recipe-files">
          <StateLine label={`Model (${recipe.model.source})`} state={check?.model}>
            <ModelPick recipe={recipe} />
          </StateLine>
          <StateLine label={`Training file (${recipe.data.train.name})`} state={check?.train}>
            <DataPick recipe={recipe} role="train" />
          </StateLine>
          {(recipe.data.validation !== null || check?.validation.status === 'unexpected') && (
            <StateLine label={recipe.data.validation ? `Validation file (${recipe.data.validation.name})` : 'Validation file'} state={check?.validation}>
              {recipe.data.validation === null ? (
                <button type="button" className="button button-secondary button-small" onClick={() => engine.clearValidationFile()}>
                  Remove the validation file
                </button>
              ) : (
                <DataPick recipe={recipe} role="validation" />
              )}
            </StateLine>
          )}
        </ul>
      </div>
      <button type="button" className="icon-button" aria-label="Close the shared recipe" onClick={close}>
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}
