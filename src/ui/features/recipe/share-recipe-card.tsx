// "Share this run" (issue #18): the run recipe (protocol/run-recipe.ts) of Configure's config with the model and the
// dataset files open, fingerprinted in the worker — as a JSON file (`layerwise train --recipe FILE` runs it headless)
// and as a link whose fragment reopens the studio with everything set but the files, which it asks for and checks.
import { useEffect, useMemo, useState } from 'react';
import { recipeFragment, type RunRecipe } from '../../../protocol/run-recipe';
import type { TrainConfig } from '../../../protocol/train-config';
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { Icon } from '../../components/icons';
import { useEngine } from '../../engine-context';
import { appStore, useApp } from '../../store/app-store';
import { openRecipeText } from './recipe-open';

/** "reviews.csv on tiny-bert" → "reviews-csv-on-tiny-bert.recipe.json". */
export function recipeFileName(recipe: RunRecipe): string {
  return `${recipe.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'run'}.recipe.json`;
}

/** The link that reopens this studio with the recipe (the fragment never reaches a server). */
export function recipeLink(recipe: RunRecipe, here: Pick<Location, 'origin' | 'pathname' | 'search'>): string {
  return `${here.origin}${here.pathname}${here.search}${recipeFragment(recipe)}`;
}

export function ShareRecipeCard({ config, valid }: { config: TrainConfig; valid: boolean }) {
  const engine = useEngine();
  const shared = useApp((s) => s.runRecipe.shared);
  const dismiss = useApp((s) => s.dismissRecipeError);
  const ready = useApp((s) => s.model.current !== null && s.dataset.train !== null);
  const [copied, setCopied] = useState<'copied' | 'refused' | null>(null);
  const recipe = shared.recipe;
  const file = useMemo(() => (recipe === null ? null : { name: recipeFileName(recipe), url: URL.createObjectURL(new Blob([`${JSON.stringify(recipe, null, 2)}\n`], { type: 'application/json' })) }), [recipe]);
  useEffect(
    () => () => {
      if (file) URL.revokeObjectURL(file.url);
    },
    [file],
  );
  const link = recipe === null ? null : recipeLink(recipe, location);
  const copy = (text: string) =>
    navigator.clipboard.writeText(text).then(
      () => setCopied('copied'),
      () => setCopied('refused'),
    );
  return (
    <Card
      title="Share this run"
      description="The whole run — the model's name and where it comes from, the dataset's name, fingerprint and columns, every setting above and the seed — as a JSON file and as a link. Whoever opens it gets everything set except the files, which the studio asks for and checks against the fingerprints."
    >
      <div className="export-actions">
        <button type="button" className="button button-secondary" disabled={!ready || !valid || shared.requestId !== null} onClick={() => engine.shareRecipe(config)}>
          <Icon name="export" size={16} />
          {shared.requestId !== null ? 'Fingerprinting the files…' : 'Copy recipe'}
        </button>
        {file && (
          <a className="button button-ghost" href={file.url} download={file.name}>
            <Icon name="download" size={16} /> Download {file.name}
          </a>
        )}
        {link && (
          <button type="button" className="button button-ghost" onClick={() => void copy(link)}>
            Copy link
          </button>
        )}
        <label className="button button-ghost">
          <Icon name="upload" size={16} /> Open a recipe file
          <input
            type="file"
            accept=".json,application/json"
            hidden
            aria-label="Open a recipe file"
            onChange={(e) => {
              const picked = e.currentTarget.files?.[0];
              if (picked) void picked.text().then((text) => openRecipeText(appStore, text, picked.name));
              e.currentTarget.value = '';
            }}
          />
        </label>
      </div>
      {!ready && <p className="muted">Open a model and a training file first: a recipe names both.</p>}
      {shared.error && <ErrorAlert title="The recipe could not be written" error={shared.error} onDismiss={() => dismiss('shared')} />}
      {link && (
        <>
          <label className="field">
            <span className="field-label">Link to this run</span>
            <input className="input" readOnly value={link} aria-label="Link to this run" onFocus={(e) => e.currentTarget.select()} />
          </label>
          {copied && <p className="muted" role="status">{copied === 'copied' ? 'The link is on the clipboard.' : 'The browser refused the clipboard: copy the link above by hand.'}</p>}
        </>
      )}
    </Card>
  );
}
