// "Push to the Hugging Face Hub": a repository id, a write token and, under Advanced, the endpoint. Nothing is sent
// before Push; the token stays in this form's state (never the store, never storage) and goes to the worker with the
// push, which sends it to the endpoint only. Progress, then a link to the repository.
import { useId, useState, type FormEvent } from 'react';
import { DEFAULT_HUB_ENDPOINT } from '../../../protocol/hub';
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { TextField } from '../../components/fields';
import { Icon } from '../../components/icons';
import { ProgressBar } from '../../components/progress-bar';
import { useEngine } from '../../engine-context';
import { formatBytes } from '../../format';
import { useApp } from '../../store/app-store';

const PHASE_TEXT = {
  verifying: 'Writing and checking the folder…',
  creating: 'Creating the repository…',
  preuploading: 'Preparing the upload…',
  uploading: 'Uploading…',
  committing: 'Committing…',
  done: 'Done',
} as const;

export function PushCard({ blocked }: { blocked: boolean }) {
  const engine = useEngine();
  const push = useApp((s) => s.share.push);
  const dismiss = useApp((s) => s.dismissShareError);
  const [repo, setRepo] = useState('');
  const [token, setToken] = useState('');
  const [endpoint, setEndpoint] = useState(DEFAULT_HUB_ENDPOINT);
  const [isPrivate, setPrivate] = useState(true);
  const [withOnnx, setWithOnnx] = useState(false);
  const tokenId = useId();
  const busy = push.requestId !== null;
  const host = endpoint.trim().replace(/\/+$/, '') === DEFAULT_HUB_ENDPOINT ? 'huggingface.co' : endpoint.trim();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || blocked || repo.trim() === '' || token.trim() === '') return;
    engine.pushToHub({ repo: repo.trim(), token: token.trim(), endpoint: endpoint.trim(), private: isPrivate, withOnnx });
  }

  return (
    <Card
      title="Push to the Hugging Face Hub"
      description={
        <>
          Uploads the Hugging Face folder (weights, tokenizer, model card with the metrics) to a model repository on <bdi>{host}</bdi>, creating it if
          needed. Nothing is sent before you press Push. The token is kept only until the push ends and sent to <bdi>{host}</bdi> only.
        </>
      }
    >
      <form className="try-form" onSubmit={submit} aria-label="Push to the Hub">
        <TextField label="Repository" value={repo} onChange={setRepo} placeholder="your-name/my-model" help="owner/name: your user name or an organisation you can write to." />
        <div className="field">
          <label className="field-label" htmlFor={tokenId}>
            Access token
          </label>
          <input
            id={tokenId}
            className="input"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            placeholder="hf_…"
            onChange={(e) => setToken(e.currentTarget.value)}
          />
          <p className="field-help muted">A write token from your Hugging Face settings. It is not stored: reloading the page forgets it.</p>
        </div>
        <label className="check-label">
          <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.currentTarget.checked)} />
          <span>Create it private (an existing repository keeps its visibility)</span>
        </label>
        <label className="check-label">
          <input type="checkbox" checked={withOnnx} onChange={(e) => setWithOnnx(e.currentTarget.checked)} />
          <span>Also the ONNX files for transformers.js (onnx/model.onnx and the int8 file)</span>
        </label>
        <details className="config-details">
          <summary>Advanced</summary>
          <TextField
            label="Endpoint"
            value={endpoint}
            onChange={setEndpoint}
            placeholder={DEFAULT_HUB_ENDPOINT}
            help="This page's security policy lets it connect only to huggingface.co and its upload hosts (*.hf.co). The command line: layerwise push --endpoint."
          />
        </details>
        <div className="try-actions">
          <button type="submit" className="button button-primary" disabled={busy || blocked || repo.trim() === '' || token.trim() === ''}>
            <Icon name="upload" size={16} />
            {busy ? 'Pushing…' : 'Push'}
          </button>
        </div>
      </form>
      {busy && (
        <ProgressBar
          label="Pushing to the Hub"
          value={push.progress?.done ?? 0}
          max={push.progress?.total ?? 0}
          text={push.progress ? `${PHASE_TEXT[push.progress.phase]}${push.progress.total > 0 ? ` ${formatBytes(push.progress.done / 2)} of ${formatBytes(push.progress.total / 2)}` : ''}` : undefined}
        />
      )}
      {push.error && <ErrorAlert title="Push failed" error={push.error} onDismiss={() => dismiss('push')} />}
      {push.result && (
        <p role="status">
          {push.result.created ? 'Created' : 'Updated'}{' '}
          <a href={push.result.url} target="_blank" rel="noreferrer noopener">
            {push.result.url}
          </a>{' '}
          ({push.result.files.length} files, <a href={push.result.commitUrl} target="_blank" rel="noreferrer noopener">commit</a>).
        </p>
      )}
    </Card>
  );
}
